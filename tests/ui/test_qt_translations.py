from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialogButtonBox

from ozondesk.ui.qt_translations import install_qt_translations


def _cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    return box.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "")


def test_qt_standard_buttons_follow_the_interface_language(qapp) -> None:
    try:
        assert install_qt_translations("ru") is True
        assert _cancel_text() == "Отмена"
        assert install_qt_translations("zh_CN") is True
        assert _cancel_text() == "取消"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        assert install_qt_translations("en") is False
    assert _cancel_text() == "Cancel"
