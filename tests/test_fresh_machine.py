"""The README's two opening commands, checked against a fresh Debian/Ubuntu machine.

The apt list of the first command must bring every shared library that Qt's X11 platform
plugin and the Qt modules the app imports link outside the PySide6 wheel. Each library
`ldd` resolves is mapped to its Debian package (`dpkg -S`), and apt simulates installing the
README's list on an empty system (`Dir::State::status=/dev/null`): every such package must be
in what apt would install, or be of priority "required" (on every Debian system). The check
needs dpkg and apt's package lists, so it runs on Debian and Ubuntu only; `.ci/run` also runs
the command itself and waits for the real window under Xvfb.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
import readme_commands  # noqa: E402

# What the app loads from the wheel on an X11 desktop: the modules it imports (their own links
# come along through ldd) and the xcb platform plugin with its GL integrations.
QT_LIBS = ("Core", "Gui", "Widgets", "Charts", "DBus", "XcbQpa")
QT_PLUGINS = ("platforms/libqxcb.so", "xcbglintegrations/*.so")


def test_first_command_installs_into_a_virtual_environment_and_starts_the_demo() -> None:
    first, tests = readme_commands.commands()[:2]
    steps = [s.strip() for s in first.replace("\\\n", " ").split("&&")]
    assert steps[0] == "sudo apt-get update"
    assert steps[1].startswith("sudo apt-get install -y python3-venv ")
    assert steps[2:] == [
        "python3 -m venv .venv", ". .venv/bin/activate", "pip install -e .", "ozondesk --demo",
    ]  # fmt: skip
    # Stock Debian has no `python` outside a virtual environment; pip refuses to install
    # outside one (externally managed), so the test command starts by activating it.
    assert tests == (
        ". .venv/bin/activate && pip install -e '.[test]' && "
        "QT_QPA_PLATFORM=offscreen python -m pytest -q"
    )
    assert "fonts-noto-cjk" in readme_commands.apt_packages(first)
    # Buyers write emoji: without a colour emoji font they are empty boxes (#17).
    assert "fonts-noto-color-emoji" in readme_commands.apt_packages(first)


def _linked_libraries() -> dict[str, str]:
    """soname → resolved path of every library outside the wheel that the app's Qt links."""
    spec = importlib.util.find_spec("PySide6")  # its files, without loading Qt here
    assert spec is not None and spec.submodule_search_locations
    qt = Path(spec.submodule_search_locations[0]) / "Qt"
    files = [qt / "lib" / f"libQt6{name}.so.6" for name in QT_LIBS]
    for pattern in QT_PLUGINS:
        files += sorted((qt / "plugins").glob(pattern))
    missing = [str(f) for f in files if not f.exists()]
    assert not missing, f"this PySide6 has no {missing}"
    linked: dict[str, str] = {}
    not_found: set[str] = set()
    for file in files:
        out = subprocess.run(["ldd", str(file)], capture_output=True, text=True, check=True).stdout
        for soname, path in re.findall(r"^\s*(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$", out, re.M):
            if path == "not found":
                not_found.add(soname)
            elif not Path(path).resolve().is_relative_to(qt.parent):
                linked[soname] = str(Path(path).resolve())
    assert not not_found, (
        f"not found on this machine: {sorted(not_found)}; run the README's apt-get install, "
        "and if these are still missing, their packages belong in its list"
    )
    return linked


def _owning_packages(paths: list[str]) -> dict[str, str]:
    """path → Debian package, asking for both sides of the /lib → /usr/lib merge."""
    asked: dict[str, str] = {}
    for path in paths:
        asked[path] = path
        if path.startswith("/usr/lib/"):
            asked[path.removeprefix("/usr")] = path
        elif path.startswith("/lib/"):
            asked["/usr" + path] = path
    out = subprocess.run(["dpkg-query", "-S", *asked], capture_output=True, text=True).stdout
    owners: dict[str, str] = {}
    for line in out.splitlines():
        package, _sep, file = line.partition(": ")
        if file in asked:
            owners[asked[file]] = package.split(":")[0].split(", ")[0]
    return owners


def _required_priority(packages: set[str]) -> set[str]:
    out = subprocess.run(
        ["apt-cache", "show", "--no-all-versions", *sorted(packages)],
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    required, name = set(), None
    for line in out.splitlines():
        if line.startswith("Package: "):
            name = line.split(": ", 1)[1]
        elif line == "Priority: required" and name:
            required.add(name)
    return required


@pytest.mark.skipif(
    not (shutil.which("dpkg-query") and shutil.which("apt-get") and sys.platform == "linux"),
    reason="the README's apt list is checked on Debian and Ubuntu",
)
def test_apt_list_brings_every_library_qt_xcb_links() -> None:
    linked = _linked_libraries()
    owners = _owning_packages(sorted(set(linked.values())))
    unowned = sorted(path for path in linked.values() if path not in owners)
    assert not unowned, f"no Debian package owns {unowned} (a library installed by hand?)"
    needed = set(owners.values())

    readme_apt = readme_commands.apt_packages(readme_commands.commands()[0])
    env = dict(os.environ, LC_ALL="C")
    simulated = subprocess.run(
        ["apt-get", "-s", "-o", "Dir::State::status=/dev/null", "install", *readme_apt],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    if simulated.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"apt-get -s install failed: {simulated.stderr.strip()}")
        pytest.skip(
            f"apt cannot resolve the list here (apt-get update?): {simulated.stderr[-200:]}"
        )
    installed = set(re.findall(r"^Inst (\S+)", simulated.stdout, re.M))
    left = needed - installed
    left -= _required_priority(left)
    assert not left, (
        f"Qt's xcb plugin needs {sorted(left)}, which the README's apt list does not bring on a "
        "fresh system"
    )
