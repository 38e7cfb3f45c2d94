"""ozondesk.resources finds the data files in a checkout, a PyInstaller bundle and a wheel."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ozondesk import i18n, resources
from ozondesk.domain.lint.rules import default_rules_path
from ozondesk.domain.packs import starter_pack_path
from ozondesk.store import db as store_db

ROOT = Path(__file__).resolve().parent.parent


def test_source_checkout_uses_the_repository_folders() -> None:
    assert resources.data_root() == ROOT
    assert resources.resource_path("lint", "rules-ru.json") == ROOT / "resources/lint/rules-ru.json"
    assert resources.translations_dir() == ROOT / "translations"
    assert (resources.translations_dir() / "zh_CN" / "LC_MESSAGES" / "ozondesk.mo").is_file()


def test_every_locator_goes_through_it() -> None:
    assert starter_pack_path() == resources.resource_path("templates", "starter-ru.json")
    assert starter_pack_path().is_file()
    assert default_rules_path() == resources.resource_path("lint", "rules-ru.json")
    assert default_rules_path().is_file()
    assert i18n.catalog_dir() == resources.translations_dir()
    assert store_db.MIGRATIONS == resources.migrations_dir()
    assert (resources.migrations_dir() / "env.py").is_file()


def test_no_module_builds_its_own_path_to_the_data_folders() -> None:
    """A `Path(__file__).parents[n] / "resources"` is wrong in an installed wheel."""
    offenders = []
    for path in sorted((ROOT / "ozondesk").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative == "ozondesk/resources.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "__file__" in line and ('"resources"' in line or '"translations"' in line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []


def test_pyinstaller_bundle_uses_meipass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.data_root() == tmp_path
    assert starter_pack_path() == tmp_path / "resources" / "templates" / "starter-ru.json"
    assert i18n.catalog_dir() == tmp_path / "translations"


def test_meipass_alone_is_not_a_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Only PyInstaller's bootloader sets both; a stray attribute must not move the data.
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.data_root() == ROOT


def test_installed_wheel_uses_the_package_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    package = tmp_path / "site-packages" / "ozondesk"
    (package / resources.WHEEL_DATA_DIR / "resources").mkdir(parents=True)
    monkeypatch.setattr(resources, "PACKAGE_DIR", package)
    assert resources.data_root() == package / "_data"
    assert resources.resource_path("drills") == package / "_data" / "resources" / "drills"
    assert resources.translations_dir() == package / "_data" / "translations"
    assert resources.migrations_dir() == package / "store" / "migrations"
