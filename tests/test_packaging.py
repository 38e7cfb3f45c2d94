"""The release files: PyInstaller spec, Linux desktop integration, icons, Inno Setup, wheel.

The spec runs here against stand-ins for PyInstaller's build classes, so what it feeds
PyInstaller is checked without a 40-second build; `.ci/run` builds and starts the real
bundle after the suite.
"""

from __future__ import annotations

import configparser
import re
import shutil
import struct
import subprocess
import sys
import types
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ozondesk import __version__

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
LINUX = PACKAGING / "linux"
APP_ID = "ru.ozondesk.OzonDesk"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
ISS = PACKAGING / "windows" / "ozondesk.iss"


# --- the PyInstaller spec -------------------------------------------------------------

# Entries PyInstaller's own hooks would add, to check the spec's filters on them.
HOOK_DATAS = [
    ("babel/locale-data/ru.dat", "/src/ru.dat", "DATA"),
    ("babel/locale-data/zh_Hans_CN.dat", "/src/zh_Hans_CN.dat", "DATA"),
    ("babel/locale-data/de.dat", "/src/de.dat", "DATA"),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", "/src/qtbase_zh_CN.qm", "DATA"),
    ("PySide6/Qt/translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA"),
    ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
]
HOOK_BINARIES = [
    ("PySide6/Qt/lib/libQt6Widgets.so.6", "/src/libQt6Widgets.so.6", "BINARY"),
    ("PySide6/Qt/lib/libQt6Charts.so.6", "/src/libQt6Charts.so.6", "BINARY"),
    ("PySide6/Qt/lib/libQt6Qml.so.6", "/src/libQt6Qml.so.6", "BINARY"),
    ("PySide6/Qt/plugins/imageformats/libqsvg.so", "/src/libqsvg.so", "BINARY"),
    ("PySide6/Qt/plugins/imageformats/libqpdf.so", "/src/libqpdf.so", "BINARY"),
    (
        "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "/src/libqtvirtualkeyboardplugin.so",
        "BINARY",
    ),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", "/src/libqoffscreen.so", "BINARY"),
]


class _Recorder:
    """Stands in for Analysis, PYZ, EXE, COLLECT and BUNDLE: keeps what it was given."""

    def __init__(self, kind: str, calls: list[_Recorder], *args: Any, **kwargs: Any) -> None:
        self.kind, self.args, self.kwargs = kind, args, kwargs
        calls.append(self)
        if kind == "Analysis":
            # PyInstaller turns each (file, folder) into (folder/name, file, "DATA").
            self.datas = [
                (f"{folder}/{Path(src).name}", src, "DATA") for src, folder in kwargs["datas"]
            ] + HOOK_DATAS
            self.binaries = list(HOOK_BINARIES)
            self.pure, self.scripts = [], []


def run_spec(monkeypatch: pytest.MonkeyPatch, platform: str) -> dict[str, Any]:
    calls: list[_Recorder] = []
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_data_files = lambda package, includes=None: [  # type: ignore[attr-defined]
        (f"/site/{package}/locale/ru/LC_MESSAGES/RU.mo", f"{package}/locale/ru/LC_MESSAGES")
    ]
    hooks.collect_submodules = lambda package: [f"{package}.cli"]  # type: ignore[attr-defined]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "platform", platform)
    namespace: dict[str, Any] = {"SPECPATH": str(PACKAGING), "__name__": "__main__"}
    for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE"):
        namespace[kind] = lambda *a, _kind=kind, **k: _Recorder(_kind, calls, *a, **k)
    source = (PACKAGING / "ozondesk.spec").read_text(encoding="utf-8")
    exec(compile(source, "ozondesk.spec", "exec"), namespace)
    namespace["calls"] = calls
    return namespace


def recorded(spec: dict[str, Any], kind: str) -> list[_Recorder]:
    return [call for call in spec["calls"] if call.kind == kind]


def test_spec_ships_every_resource_catalog_and_migration(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = run_spec(monkeypatch, "linux")
    analysis = recorded(spec, "Analysis")[0]
    shipped = {dest: Path(src) for dest, src, _kind in analysis.datas}
    expected = [p for p in (ROOT / "resources").rglob("*") if p.is_file()]
    expected += list((ROOT / "translations").glob("*/LC_MESSAGES/ozondesk.mo"))
    expected += [
        p
        for p in (ROOT / "ozondesk/store/migrations").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert len(expected) > 15
    missing = [
        relative
        for relative in (p.relative_to(ROOT).as_posix() for p in expected)
        if relative not in shipped or shipped[relative].resolve() != (ROOT / relative).resolve()
    ]
    assert missing == []
    catalogs = {Path(d).parts[1] for d, _s, _k in analysis.datas if d.endswith("ozondesk.mo")}
    assert catalogs == {"en", "ru", "zh_CN"}


def test_spec_imports_what_is_loaded_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = run_spec(monkeypatch, "linux")
    hidden = recorded(spec, "Analysis")[0].kwargs["hiddenimports"]
    assert "ozondesk.cli" in hidden  # collect_submodules("ozondesk"): sub-commands by name
    assert "holidays.countries.russia" in hidden
    excludes = recorded(spec, "Analysis")[0].kwargs["excludes"]
    assert "PySide6.QtWebEngineCore" in excludes and "pytest" in excludes
    for used in ("PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtCharts",
                 "PySide6.QtSvg", "keyring", "pymorphy3", "alembic"):  # fmt: skip
        assert used not in excludes


def test_spec_drops_unused_locales_and_qt_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = run_spec(monkeypatch, "linux")
    analysis = recorded(spec, "Analysis")[0]
    datas = {dest for dest, _src, _kind in analysis.datas}
    assert {"babel/locale-data/ru.dat", "babel/locale-data/zh_Hans_CN.dat"} <= datas
    assert "PySide6/Qt/translations/qtbase_zh_CN.qm" in datas
    assert not {"babel/locale-data/de.dat", "PySide6/Qt/translations/qtbase_de.qm"} & datas
    assert "libQt6Quick.so.6" not in datas
    assert "holidays/locale/ru/LC_MESSAGES/RU.mo" in datas
    binaries = {Path(dest).name for dest, _src, _kind in analysis.binaries}
    assert binaries == {"libQt6Widgets.so.6", "libQt6Charts.so.6", "libqsvg.so", "libqoffscreen.so"}


def test_spec_builds_one_folder_named_for_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = run_spec(monkeypatch, "linux")
    (collect,) = recorded(spec, "COLLECT")
    assert collect.kwargs["name"] == "ozondesk"  # dist/ozondesk/ozondesk
    assert [exe.kwargs["name"] for exe in recorded(spec, "EXE")] == ["ozondesk"]
    assert all(exe.kwargs["exclude_binaries"] for exe in recorded(spec, "EXE"))  # one folder
    assert recorded(spec, "BUNDLE") == []
    assert spec["VERSION"] == __version__


def test_spec_on_macos_makes_an_app_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = run_spec(monkeypatch, "darwin")
    (bundle,) = recorded(spec, "BUNDLE")
    assert bundle.kwargs["name"] == "OzonDesk.app"
    assert bundle.kwargs["bundle_identifier"] == APP_ID
    assert bundle.kwargs["version"] == __version__
    assert bundle.kwargs["icon"] == str(PACKAGING / "icons" / "ozondesk.icns")


def test_spec_on_windows_matches_the_installer(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = run_spec(monkeypatch, "win32")
    exes = {exe.kwargs["name"]: exe.kwargs for exe in recorded(spec, "EXE")}
    assert exes["OzonDesk"]["console"] is False and exes["ozondesk-cli"]["console"] is True
    assert exes["OzonDesk"]["icon"] == str(PACKAGING / "icons" / "ozondesk.ico")
    iss = ISS.read_text(encoding="utf-8")
    assert re.search(r'^#define AppExe "OzonDesk\.exe"$', iss, re.M)


# --- Inno Setup ---------------------------------------------------------------------


def test_installer_script_is_per_user_with_shortcut_and_one_version_source() -> None:
    iss = ISS.read_text(encoding="utf-8")
    assert re.search(r"^PrivilegesRequired=lowest$", iss, re.M)
    assert re.search(r"^AppId=\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$", iss, re.M)
    assert re.search(r"^AppVersion=\{#AppVersion\}$", iss, re.M)
    assert __version__ not in iss  # passed in by build.py, never written here
    assert re.search(
        r'^Name: "\{autoprograms\}\\\{#AppName\}"; Filename: "\{app\}\\\{#AppExe\}"', iss, re.M
    )
    assert re.search(r"^SetupIconFile=\.\.\\icons\\ozondesk\.ico$", iss, re.M)
    assert (ISS.parent / "../icons/ozondesk.ico").resolve().is_file()
    assert not re.search(r"^Uninstallable=(no|false)", iss, re.M | re.I)


# --- Linux desktop integration ------------------------------------------------------


def test_desktop_file() -> None:
    if shutil.which("desktop-file-validate"):
        proc = subprocess.run(
            ["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 0 and "error" not in proc.stdout, proc.stdout + proc.stderr
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "ozondesk"
    assert entry["Icon"] == APP_ID
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    assert entry["Name[zh_CN]"] and entry["Comment[ru]"]


def test_appstream_metadata() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    for tag in ("id", "metadata_license", "project_license", "name", "summary", "description"):
        assert root.find(tag) is not None and "".join(root.find(tag).itertext()).strip(), tag
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.find("launchable").get("type") == "desktop-id"
    releases = [r.get("version") for r in root.iter("release")]
    assert releases[0] == __version__  # newest first, and it is this version
    if shutil.which("appstreamcli"):
        proc = subprocess.run(
            ["appstreamcli", "validate", "--no-net", str(METAINFO)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_icon_set() -> None:
    ET.parse(PACKAGING / "icons" / "ozondesk.svg")
    hicolor = LINUX / "icons" / "hicolor"
    for size in (16, 32, 48, 64, 128, 256, 512):
        assert png_size(hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png") == (size, size)
    scalable = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    assert scalable.read_bytes() == (PACKAGING / "icons" / "ozondesk.svg").read_bytes()
    assert (PACKAGING / "icons" / "ozondesk.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"
    assert (PACKAGING / "icons" / "ozondesk.icns").read_bytes()[:4] == b"icns"


# --- the wheel ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the tree (no build/ litter in the checkout)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "_data")
    for name in ("ozondesk", "resources", "translations"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(base / "out"),
         str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = (base / "out").glob("ozondesk-*.whl")
    return built


def test_wheel_carries_the_data_files(wheel: Path) -> None:
    assert wheel.name.startswith(f"ozondesk-{__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "ozondesk/_data/" + p.relative_to(ROOT).as_posix()
        for p in (ROOT / "resources").rglob("*")
        if p.is_file()
    }
    expected |= {
        "ozondesk/_data/" + p.relative_to(ROOT).as_posix()
        for p in (ROOT / "translations").glob("*/LC_MESSAGES/*.mo")
    }
    expected |= {"ozondesk/store/migrations/env.py", "ozondesk/store/migrations/script.py.mako"}
    expected |= {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "ozondesk/store/migrations/versions").glob("0*.py")
    }
    assert expected - names == set()
    assert not any(name.startswith("ozondesk/_data/translations/") and name.endswith(".po")
                   for name in names)  # fmt: skip


def test_installed_wheel_finds_its_data(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import ozondesk, ozondesk.resources as r\n"
        "from ozondesk.domain.packs import starter_pack_path\n"
        "from ozondesk.domain.lint.rules import default_rules_path\n"
        "from ozondesk.i18n import _, set_language\n"
        "set_language('zh_CN')\n"
        "print(ozondesk.__file__)\n"
        "print(r.data_root())\n"
        "print(starter_pack_path().is_file(), default_rules_path().is_file())\n"
        "print(_('OzonDesk customer-service workstation'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=site, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    module, root, found, translated = proc.stdout.splitlines()
    assert Path(module).resolve() == (site / "ozondesk" / "__init__.py").resolve()
    assert Path(root).resolve() == (site / "ozondesk" / "_data").resolve()
    assert found == "True True"
    assert translated != "OzonDesk customer-service workstation"
    assert re.search(r"[\u4e00-\u9fff]", translated)
