"""Qt's own strings (standard buttons, file dialogs, context menus) in the interface language.

Our catalogs cover our text; without Qt's catalogs a Russian or Chinese desk still shows
"Cancel", "Copy" and "Select All" in English."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

_installed: list[QTranslator] = []


def install_qt_translations(language: str) -> bool:
    """Replace Qt's catalog with the one for ``language`` ("en" needs none); True if one loaded."""
    app = QCoreApplication.instance()
    if app is None:
        return False
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if language == "en":
        return False
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(language), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
