"""The lead's translation dialog: the team's glossary (ru ↔ zh pairs) and characters sent per day.

The glossary holds the terms every translation must keep (brand and product names, Ozon's own
words: «пункт выдачи» = 取货点); the usage table shows what the engines were sent, per Moscow
day and engine, since that is what a paid engine bills. Every read and write runs on the
worker; the dialog only shows what came back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ozondesk.i18n import _
from ozondesk.ui.message_translation import GlossaryPair, Translator, UsageLine, engine_label
from ozondesk.ui.tasks import TaskRunner

USAGE_DAYS = 30


def _item(text: str, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")  # a thin space groups thousands in every language


class TranslationAdmin(QDialog):
    """Glossary and usage; ``loaded`` fires whenever a list has been (re)read."""

    loaded = Signal()

    def __init__(self, translator: Translator, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("translationAdmin")
        self.setWindowTitle(_("Translation glossary and usage"))
        self.translator = translator
        self.runner = runner
        self.entries: list[GlossaryPair] = []
        self.rows: list[UsageLine] = []
        self._open = True

        tabs = self.tabs = QTabWidget(self)
        tabs.addTab(self._build_glossary(), _("Glossary"))
        tabs.addTab(self._build_usage(), _("Characters sent"))
        self.status = QLabel(self)
        self.status.setObjectName("adminStatus")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.finished.connect(self._closed)
        self.resize(640, 480)
        self.reload()

    def _closed(self) -> None:
        self._open = False  # answers still on the worker find nobody to show them to

    # -- glossary ------------------------------------------------------------------------------
    def _build_glossary(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            _("Terms every translation keeps, in both directions: product and brand names, Ozon's own words."),
            page,
        )
        intro.setWordWrap(True)
        self.glossary = QTableWidget(0, 2, page)
        self.glossary.setObjectName("glossaryTable")
        self.glossary.setHorizontalHeaderLabels([_("Russian"), _("Chinese")])
        self.glossary.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.glossary.verticalHeader().setVisible(False)
        self.glossary.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.glossary.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.glossary.itemSelectionChanged.connect(self._picked)
        self.ru_edit = QLineEdit(page)
        self.ru_edit.setObjectName("glossaryRu")
        self.ru_edit.setPlaceholderText(_("e.g. пункт выдачи"))
        self.zh_edit = QLineEdit(page)
        self.zh_edit.setObjectName("glossaryZh")
        self.zh_edit.setPlaceholderText(_("e.g. 取货点"))
        form = QFormLayout()
        form.addRow(_("Russian:"), self.ru_edit)
        form.addRow(_("Chinese:"), self.zh_edit)
        self.save_button = QPushButton(_("Save pair"), page)
        self.save_button.setToolTip(_("Add the pair, or change the Chinese of a Russian term already listed"))
        self.save_button.clicked.connect(self.save_entry)
        self.delete_button = QPushButton(_("Delete pair"), page)
        self.delete_button.clicked.connect(self.delete_entry)
        self.delete_button.setEnabled(False)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.delete_button)
        row.addWidget(self.save_button)
        column = QVBoxLayout(page)
        column.addWidget(intro)
        column.addWidget(self.glossary, 1)
        column.addLayout(form)
        column.addLayout(row)
        return page

    def _picked(self) -> None:
        rows = {i.row() for i in self.glossary.selectedItems()}
        self.delete_button.setEnabled(bool(rows))
        if rows:
            entry = self.entries[min(rows)]
            self.ru_edit.setText(entry.ru)
            self.zh_edit.setText(entry.zh)

    def _show_glossary(self, entries: Sequence[GlossaryPair]) -> None:
        self.entries = sorted(entries, key=lambda e: e.ru.casefold())
        self.glossary.setRowCount(len(self.entries))
        for i, e in enumerate(self.entries):
            self.glossary.setItem(i, 0, _item(e.ru))
            self.glossary.setItem(i, 1, _item(e.zh))
        self.delete_button.setEnabled(False)

    def save_entry(self) -> bool:
        ru, zh = self.ru_edit.text().strip(), self.zh_edit.text().strip()
        if not ru or not zh:
            self._say(_("Fill in both the Russian term and its Chinese."), error=True)
            return False
        self._write(lambda: self.translator.set_glossary_entry(ru, zh),
                    _("Saved: {ru} = {zh}").format(ru=ru, zh=zh))
        return True

    def delete_entry(self) -> bool:
        rows = {i.row() for i in self.glossary.selectedItems()}
        if not rows:
            return False
        ru = self.entries[min(rows)].ru
        self._write(lambda: self.translator.delete_glossary_entry(ru), _("Deleted: {ru}").format(ru=ru))
        return True

    def _write(self, work: Callable[[], object], done_text: str) -> None:
        self.save_button.setEnabled(False)
        self.delete_button.setEnabled(False)

        def done(_result: object) -> None:
            if self._open:
                self.save_button.setEnabled(True)
                self.ru_edit.clear()
                self.zh_edit.clear()
                self._say(done_text)
                self.reload()

        def failed(exc: BaseException) -> None:
            if self._open:
                self.save_button.setEnabled(True)
                self._say(str(exc), error=True)

        self.runner.run(work, done, failed)

    # -- usage ---------------------------------------------------------------------------------
    def _build_usage(self) -> QWidget:
        page = QWidget(self)
        self.usage_title = QLabel(
            _("Characters sent to the engines per day (Moscow time), last {days} days").format(days=USAGE_DAYS), page
        )
        self.usage_title.setWordWrap(True)
        self.usage = QTableWidget(0, 3, page)
        self.usage.setObjectName("usageTable")
        self.usage.setHorizontalHeaderLabels([_("Day"), _("Engine"), _("Characters")])
        self.usage.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.usage.verticalHeader().setVisible(False)
        self.usage_total = QLabel(page)
        self.usage_total.setObjectName("usageTotal")
        column = QVBoxLayout(page)
        column.addWidget(self.usage_title)
        column.addWidget(self.usage, 1)
        column.addWidget(self.usage_total)
        return page

    def _show_usage(self, rows: Sequence[UsageLine]) -> None:
        self.rows = sorted(rows, key=lambda r: (r.day, r.engine), reverse=True)
        self.usage.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            self.usage.setItem(i, 0, _item(r.day.strftime("%d.%m.%Y")))
            self.usage.setItem(i, 1, _item(engine_label(r.engine)))
            self.usage.setItem(i, 2, _item(_number(r.characters), align_right=True))
        totals: dict[str, int] = {}
        for r in self.rows:
            totals[r.engine] = totals.get(r.engine, 0) + r.characters
        if totals:
            per = ", ".join(f"{engine_label(e)} {_number(n)}" for e, n in sorted(totals.items()))
            self.usage_total.setText(_("In all: {totals}").format(totals=per))
        else:
            self.usage_total.setText(_("Nothing was sent to an engine in these days."))

    # -- both ----------------------------------------------------------------------------------
    def reload(self) -> None:
        def done(result: tuple[Sequence[GlossaryPair], Sequence[UsageLine]]) -> None:
            if self._open:
                self._show_glossary(result[0])
                self._show_usage(result[1])
                self.loaded.emit()

        def failed(exc: BaseException) -> None:
            if self._open:
                self._say(str(exc), error=True)

        translator = self.translator
        self.runner.run(lambda: (list(translator.glossary()), list(translator.usage(USAGE_DAYS))), done, failed)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color:#c62828" if error else "color:#2e7d32")
        self.status.setText(text)
