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


def test_window_title_names_the_person_role_and_database_file_not_a_url(qapp) -> None:
    from sqlalchemy.engine import make_url

    from ozondesk.services.preferences import DeskAgent
    from ozondesk.store.db import short_name
    from ozondesk.ui.main_window import window_title

    assert short_name(make_url("sqlite:////srv/desk/shop.sqlite")) == "shop.sqlite"
    team = make_url("postgresql+psycopg://li:secret@team.example:5432/ozondesk")
    assert short_name(team) == "ozondesk @ team.example"
    lead = DeskAgent(id=1, login="li.wei", name="Li Wei", shop_name=None, role="lead")
    assert window_title("shop.sqlite", lead) == "OzonDesk — Li Wei, team lead — shop.sqlite"
    assert window_title("shop.sqlite", None) == "OzonDesk — shop.sqlite"
