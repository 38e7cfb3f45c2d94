"""PDF export of a report: HTML laid out by Qt's text engine, written by QPdfWriter.

Qt renders CJK and Cyrillic with the system fonts, so no PDF library or font file is needed.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Sequence

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument


def table_html(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table with every cell escaped."""
    head = "".join(f"<th>{html_lib.escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html_lib.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return (
        '<table border="1" cellspacing="0" cellpadding="3">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def save_pdf(path: str, title: str, body_html: str) -> None:
    """Write ``body_html`` under an escaped ``title`` to ``path`` as an A4 PDF.

    Raises OSError when the file cannot be written, so the caller can say so in one line.
    """
    # Laid out into memory, then written by Python: a path that cannot be written is an OSError
    # naming the reason, not a painter that silently fails to begin.
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    document = QTextDocument()
    document.setHtml(f"<h2>{html_lib.escape(title)}</h2>{body_html}")
    document.setPageSize(QSizeF(writer.width(), writer.height()))
    document.print_(writer)
    del writer  # the PDF is finished when the writer goes
    data = bytes(buffer.data().data())
    if not data.startswith(b"%PDF-"):
        raise OSError(path)
    with open(path, "wb") as out:
        out.write(data)
