"""The release steps, scripted: bundle with PyInstaller, smoke-test it, archive it.

    python -m pip install -e '.[package]'
    python packaging/build.py                 # dist/ozondesk/ and an archive for this platform
    python packaging/build.py --installer     # Windows: also the Inno Setup installer

PyInstaller does not cross-compile: run it on each platform (packaging/README.md).
The smoke test starts the bundle headless: ``--version``, then ``--self-test`` (the main
window on a temporary database), both must exit 0. Exit status: 0 when every step
worked, 1 otherwise, with the failing step on stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "ozondesk.spec"
ISS = HERE / "windows" / "ozondesk.iss"
APP_ID = "ru.ozondesk.OzonDesk"


class BuildError(Exception):
    pass


def version() -> str:
    """The one version, from ozondesk/__init__.py (read, not imported: no app import here)."""
    text = (ROOT / "ozondesk" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if match is None:
        raise BuildError("ozondesk/__init__.py has no __version__ line")
    return match.group(1)


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def executable(bundle: Path) -> Path:
    """The console executable of the bundle: the one that prints and returns exit codes."""
    if sys.platform == "win32":
        return bundle / "ozondesk-cli.exe"
    return bundle / "ozondesk"


def run_pyinstaller(dist: Path, work: Path) -> Path:
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(dist), "--workpath", str(work), str(SPEC),
    ]  # fmt: skip
    print("$", " ".join(command), flush=True)
    if subprocess.run(command, cwd=ROOT).returncode != 0:
        raise BuildError("PyInstaller failed (its log is above)")
    bundle = dist / "ozondesk"
    if not executable(bundle).is_file():
        raise BuildError(f"PyInstaller wrote no {executable(bundle)}")
    return bundle


def smoke_test(bundle: Path, ver: str) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    exe = executable(bundle)
    for args in (["--version"], ["--self-test"]):
        print("$", exe, *args, flush=True)
        proc = subprocess.run(
            [str(exe), *args], env=env, capture_output=True, text=True, timeout=300
        )
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            raise BuildError(f"{exe.name} {' '.join(args)} exited {proc.returncode}")
        if args == ["--version"] and proc.stdout.strip() != f"ozondesk {ver}":
            raise BuildError(f"the bundle says {proc.stdout.strip()!r}, the source {ver}")


def archive_linux(bundle: Path, ver: str) -> Path:
    """A tarball of the folder plus the desktop integration files under share/."""
    machine = platform.machine() or "unknown"
    target = bundle.parent / f"OzonDesk-{ver}-linux-{machine}.tar.gz"
    linux = HERE / "linux"
    extra = {
        f"share/applications/{APP_ID}.desktop": linux / f"{APP_ID}.desktop",
        f"share/metainfo/{APP_ID}.metainfo.xml": linux / f"{APP_ID}.metainfo.xml",
    }
    for icon in sorted((linux / "icons").rglob("*")):
        if icon.is_file():
            extra[f"share/{icon.relative_to(linux).as_posix()}"] = icon
    with tarfile.open(target, "w:gz") as tar:
        tar.add(bundle, arcname="ozondesk")
        for name, source in extra.items():
            tar.add(source, arcname=f"ozondesk/{name}")
    return target


def archive_macos(dist: Path, ver: str) -> Path:
    app = dist / "OzonDesk.app"
    if not app.is_dir():
        raise BuildError(f"PyInstaller wrote no {app}")
    target = dist / f"OzonDesk-{ver}-macos-{platform.machine()}.dmg"
    target.unlink(missing_ok=True)
    command = ["hdiutil", "create", "-volname", "OzonDesk", "-srcfolder", str(app),
               "-ov", "-format", "UDZO", str(target)]  # fmt: skip
    if subprocess.run(command).returncode != 0:
        raise BuildError("hdiutil could not make the disk image")
    return target


def windows_installer(bundle: Path, ver: str) -> Path:
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    default = Path(os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)"))
    candidate = default / "Inno Setup 6" / "ISCC.exe"
    if iscc is None and candidate.is_file():
        iscc = str(candidate)
    if iscc is None:
        raise BuildError("Inno Setup's ISCC.exe not found: install Inno Setup 6.3 or newer")
    command = [iscc, f"/DAppVersion={ver}", f"/DDistDir={bundle}", f"/O{bundle.parent}", str(ISS)]
    print("$", " ".join(command), flush=True)
    if subprocess.run(command).returncode != 0:
        raise BuildError("Inno Setup failed (its log is above)")
    return bundle.parent / f"OzonDesk-{ver}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder")  # fmt: skip
    parser.add_argument("--no-archive", action="store_true", help="stop after the smoke test")
    parser.add_argument("--installer", action="store_true",
                        help="Windows: build the Inno Setup installer too")  # fmt: skip
    args = parser.parse_args(argv)
    try:
        ver = version()
        print(f"OzonDesk {ver} on {sys.platform} ({platform.machine()})", flush=True)
        started = time.monotonic()
        bundle = run_pyinstaller(args.dist.resolve(), args.work.resolve())
        seconds = time.monotonic() - started
        size = folder_size(bundle)
        print(f"bundle: {bundle} ({size / 2**20:.0f} MiB) built in {seconds:.0f} s", flush=True)
        smoke_test(bundle, ver)
        print("smoke test: --version and --self-test exited 0", flush=True)
        if args.no_archive:
            return 0
        if sys.platform.startswith("linux"):
            print("archive:", archive_linux(bundle, ver))
        elif sys.platform == "darwin":
            print("disk image:", archive_macos(args.dist.resolve(), ver))
        elif sys.platform == "win32" and args.installer:
            print("installer:", windows_installer(bundle, ver))
    except (BuildError, subprocess.TimeoutExpired) as exc:
        sys.stderr.write(f"build failed: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
