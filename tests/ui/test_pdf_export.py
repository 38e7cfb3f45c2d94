"""PDF reports: Qt writes a real PDF with Cyrillic and Chinese text, and refuses a path it cannot write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ozondesk.ui.pdf_export import save_pdf, table_html


def test_a_report_is_written_as_pdf(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    save_pdf(str(path), "Отчёт 报告", table_html(["agent", "frr"], [["王芳", "91.5"], ["<b>", "Анна"]]))
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]


def test_cells_are_escaped() -> None:
    html = table_html(["a"], [["<script>"]])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_unwritable_path_raises_oserror(qtbot: Any, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        save_pdf(str(tmp_path / "missing-folder" / "report.pdf"), "x", "<p>x</p>")
