"""Where the data files are: a source checkout, a PyInstaller bundle or an installed wheel.

The files live at the repository root (``resources/`` and the compiled catalogs under
``translations/``) so that editors and reviewers find them without digging into the
package. Each way of shipping the app puts them somewhere else:

- source checkout and editable install: ``<repo>/resources``, ``<repo>/translations``;
- PyInstaller bundle: ``<sys._MEIPASS>/resources``, ``<sys._MEIPASS>/translations``
  (``packaging/ozondesk.spec`` puts them there);
- wheel: ``ozondesk/_data/resources``, ``ozondesk/_data/translations`` (``setup.py``
  copies them in at build time).

Pure Python: the domain layer may use it.
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
WHEEL_DATA_DIR = "_data"  # inside the package; setup.py writes the same name


def data_root() -> Path:
    """The folder holding ``resources/`` and ``translations/`` for this way of running."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and getattr(sys, "frozen", False):
        return Path(bundle)
    installed = PACKAGE_DIR / WHEEL_DATA_DIR
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent


def resource_path(*parts: str) -> Path:
    """A file or folder under ``resources/``, e.g. ``resource_path("lint", "rules-ru.json")``."""
    return data_root().joinpath("resources", *parts)


def translations_dir() -> Path:
    """The gettext locale folder: ``<locale>/LC_MESSAGES/ozondesk.mo`` below it."""
    return data_root() / "translations"


def migrations_dir() -> Path:
    """Alembic's script folder. It is loaded by path, so bundles must ship it as data too."""
    return PACKAGE_DIR / "store" / "migrations"
