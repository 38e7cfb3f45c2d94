"""CI: the README's first command, verbatim, must open the real OzonDesk window on X11.

    python3 .ci/first_window.py          # from the repository root; needs Xvfb and xdotool

It starts its own Xvfb, runs the command (apt-get, `python3 -m venv .venv`, `pip install -e .`,
`ozondesk --demo`) with the Qt xcb platform (not offscreen) and fresh data/config folders, so
the demo database is made anew; then it waits, polling, until a top-level window named
"OzonDesk — …" is mapped, saves a screenshot of the screen to build/ci/first-window.png, and
ends the app. Exit 1 with one line saying what failed, and the command's last output lines.
The `.venv` it leaves in the repository root is the one the README's second command uses.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))
from readme_commands import commands  # noqa: E402
from screenshots import start_xvfb  # noqa: E402

# apt-get update + install, a venv and pip on a machine without a pip cache take minutes;
# after `ozondesk` starts, a fresh demo database and the window take seconds.
INSTALL_LIMIT_S = 900
WINDOW_LIMIT_S = 120
SHOT = ROOT / "build" / "ci" / "first-window.png"
GRAB_ROOT = (
    "import sys\n"
    "from PySide6.QtGui import QGuiApplication\n"
    "app = QGuiApplication(sys.argv[:1])\n"
    "ok = app.primaryScreen().grabWindow(0).save(sys.argv[1], 'PNG')\n"
    "sys.exit(0 if ok else 1)\n"
)


def fail(message: str, log: Path | None = None) -> int:
    print(f"first window: FAILED: {message}", file=sys.stderr)
    if log is not None and log.exists():
        tail = log.read_text(errors="replace").splitlines()[-30:]
        print("--- the command's last output lines ---", *tail, sep="\n", file=sys.stderr)
    return 1


# The main window's title, "OzonDesk — <person>, <role> — <database>"; a message box titled "OzonDesk" or the
# crash dialog ("OzonDesk hit a problem") is not it.
MAIN_TITLE = "^OzonDesk — "


def find_window(env: dict[str, str]) -> str | None:
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", MAIN_TITLE],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    ids = found.stdout.split()
    return ids[0] if ids else None


def other_windows(env: dict[str, str]) -> list[str]:
    """Names of the other visible top-level OzonDesk windows (an error box, the crash dialog)."""
    found = subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", "OzonDesk"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    names = []
    for window in found.stdout.split():
        name = subprocess.run(["xdotool", "getwindowname", window], env=env,
                              capture_output=True, text=True).stdout.strip()  # fmt: skip
        if name:
            names.append(name)
    return names


def app_started() -> bool:
    """The command reached its last step: the venv's `ozondesk` runs."""
    script = str(ROOT / ".venv" / "bin" / "ozondesk")
    probe = subprocess.run(["pgrep", "-f", script], capture_output=True)
    return probe.returncode == 0


def main() -> int:
    for tool in ("xdotool", "pgrep", "bash"):
        if shutil.which(tool) is None:
            return fail(f"{tool} not found (apt-get install xvfb xdotool procps)")
    command = commands()[0]
    temp = Path(tempfile.mkdtemp(prefix="ozondesk-first-window-"))
    log = temp / "command.log"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    # A fresh desk: the demo database and settings go to empty folders (the pip cache stays).
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "OZONDESK_CONFIG_DIR"):
        env[name] = str(temp / name.lower())
    env.pop("OZONDESK_DB", None)
    env["DEBIAN_FRONTEND"] = "noninteractive"
    if shutil.which("sudo") is None and os.geteuid() == 0:
        # Root on a machine without sudo (a CI container): the README's `sudo` is a no-op here.
        shim = temp / "bin"
        shim.mkdir()
        (shim / "sudo").write_text('#!/bin/sh\nexec "$@"\n')
        (shim / "sudo").chmod(0o755)
        env["PATH"] = f"{shim}{os.pathsep}{env.get('PATH', '')}"
    xvfb, env["DISPLAY"] = start_xvfb(1280, 800)
    started = time.monotonic()
    print(f"first window: running the README's first command on Xvfb {env['DISPLAY']}", flush=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "-c", command], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        return watch(proc, env, log, started)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        xvfb.terminate()
        xvfb.wait(timeout=10)
        shutil.rmtree(temp, ignore_errors=True)


def watch(proc: subprocess.Popen[bytes], env: dict[str, str], log: Path, started: float) -> int:
    app_since: float | None = None
    while True:
        now = time.monotonic()
        code = proc.poll()
        if code is not None:
            return fail(f"the command ended (exit {code}) before the OzonDesk window showed", log)
        if app_since is None and app_started():
            app_since = now
            print(f"first window: installed in {now - started:.0f} s; ozondesk --demo started",
                  flush=True)  # fmt: skip
        window = find_window(env)
        if window is not None:
            break
        if app_since is None and now - started > INSTALL_LIMIT_S:
            return fail(f"the install steps did not finish within {INSTALL_LIMIT_S} s", log)
        if app_since is not None and now - app_since > WINDOW_LIMIT_S:
            shown = ", ".join(repr(n) for n in other_windows(env)) or "no window"
            return fail(f"ozondesk ran {WINDOW_LIMIT_S} s without its main window ({shown})", log)
        time.sleep(1)
    shown = time.monotonic() - (app_since or started)
    name = subprocess.run(["xdotool", "getwindowname", window], env=env,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    geometry = subprocess.run(["xdotool", "getwindowgeometry", window], env=env,
                              capture_output=True, text=True).stdout.split("Geometry:")[-1].strip()  # fmt: skip
    print(f"first window: {name!r} mapped, {geometry}, {shown:.0f} s after ozondesk started",
          flush=True)  # fmt: skip
    time.sleep(3)  # let the inbox fill before the picture; the verdict is already in
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    grab = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", GRAB_ROOT, str(SHOT)],
        env=dict(env, QT_QPA_PLATFORM="xcb"), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    if grab.returncode == 0:
        print(f"first window: screenshot {SHOT.relative_to(ROOT)}", flush=True)
    else:
        print(f"first window: no screenshot ({grab.stderr.strip()[-200:]})", flush=True)
    if proc.poll() is not None:
        return fail("ozondesk exited right after showing its window", log)
    print(f"first window: OK in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
