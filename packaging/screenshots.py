"""Screenshots for the README: the real app on a demo database, in English, Chinese and Russian.

    apt-get install xvfb xauth     # with the apt list of the README's first command
    python packaging/screenshots.py            # → docs/screenshots/{en,zh_CN,ru}/*.png

It installs nothing itself. Without a DISPLAY it starts its own Xvfb (or run it under
`xvfb-run -a`), so Qt draws with the real xcb platform and the CJK fonts fontconfig finds;
`--offscreen` uses Qt's offscreen platform instead (no Xvfb, but fonts may be missing).
One demo database is made in a temporary folder; each language gets its own process.

Shots, at 1280×720 unless --size says otherwise: inbox, conversation (a vague Russian reply
typed into the composer, so the linter underlines it), template-review, dashboard, drill,
tickets, team. A workspace this build of the app does not have is skipped with a note; the
exit status stays 0. A window that resized itself for a shot (#17: it never should) is named
with its size, and the exit status is 1.

The setup assistant (first run) is shot on its own empty database, in English, Chinese and
Russian, at the size it opens with on a 1280×720 screen: setup-shop (after a connection test
against a local fake Seller API), setup-team (three people), setup-desk, setup-sync (the first
sync finished). Its keys go to an in-memory keyring of this process, never the system one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_OUT = ROOT / "docs" / "screenshots"
LANGUAGES = ("en", "zh_CN", "ru")
SETUP_LANGUAGES = ("en", "zh_CN", "ru")
SETUP_SCREEN = (1280, 720)
VAGUE_REPLY = "Постараемся ответить в ближайшее время, дорогой~"
# Workspace shots after the two inbox ones: file name → workspace name in MainWindow.
WORKSPACE_SHOTS = {"template-review": "review", "dashboard": "dashboard", "drill": "drills",
                   "tickets": "tickets", "team": "team"}
NO_NETWORK = "http://127.0.0.1:9"  # the discard port: a sync attempt fails at once, locally


# -- the parent: a display, a database, one child per language ---------------------------


def start_xvfb(width: int, height: int) -> tuple[subprocess.Popen[bytes], str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("Xvfb not found: apt-get install xvfb (or pass --offscreen)")
    for number in range(99, 140):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        display = f":{number}"
        screen = f"{width + 100}x{height + 100}x24"
        proc = subprocess.Popen(
            [xvfb, display, "-screen", "0", screen, "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if Path(f"/tmp/.X11-unix/X{number}").exists():
                return proc, display
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
        proc.wait()
    raise SystemExit("could not start Xvfb on any display :99–:139")


def warn_without_cjk_fonts() -> None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return
    found = subprocess.run([fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True)
    if not found.stdout.strip():
        print("note: no Chinese font found (apt-get install fonts-noto-cjk): zh_CN shows boxes")


def make_demo_database(path: Path, size: int) -> None:
    from ozondesk.domain.clock import utcnow
    from ozondesk.services.demo import generate
    from ozondesk.services.preferences import desk_agents, set_desk_agent
    from ozondesk.services.templates import TemplateService
    from ozondesk.store.db import open_database

    db = open_database(str(path))
    try:
        generate(db, size=size)
        people = desk_agents(db)
        agent = next((p for p in people if p.role == "agent"), None)
        lead = next((p for p in people if p.role == "lead"), None)
        if lead is not None:
            set_desk_agent(db, lead.login)  # a lead's desk has every workspace
        if agent is not None:
            stage_review_item(TemplateService(db), agent.id, utcnow())
    finally:
        db.dispose()


def stage_review_item(service: object, agent_id: int, now: object) -> None:
    """An agent's change to a starter template, waiting for the lead: the review queue's content."""
    try:
        records = service.templates(now)  # type: ignore[attr-defined]
        record = next(r for r in records if r.live is not None and r.pending is None)
        body = record.live.body.rstrip() + "\nЕсли остались вопросы, напишите нам в этот чат."
        service.propose(  # type: ignore[attr-defined]
            agent_id, record.id, title=record.live.title, body=body, now=now,
            category=record.category, tags=record.tags, gloss_zh=record.gloss_zh,
            submit=True, comment="Добавила приглашение задать вопросы",
        )  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - the shots go on with an empty queue
        print(f"note: no template change staged for review ({exc})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    # The size #17 asks every screen to fit (tests/ui/test_no_clipping.py checks it and 1920x1080).
    parser.add_argument("--size", default="1280x720", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--demo-size", type=int, default=400, help="conversations in the demo")
    parser.add_argument("--offscreen", action="store_true", help="Qt offscreen, no Xvfb")
    parser.add_argument(
        "--only", choices=("main", "setup"), help="only the main window's or the assistant's shots"
    )
    parser.add_argument("--child", metavar="LANG", help=argparse.SUPPRESS)
    parser.add_argument("--setup-child", metavar="LANG", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.lower().split("x"))
    if args.child:
        return shoot(args.child, args.db, args.out / args.child, width, height)
    if args.setup_child:
        return shoot_setup(args.setup_child, args.out / args.setup_child)

    env = dict(os.environ)
    xvfb: subprocess.Popen[bytes] | None = None
    if args.offscreen:
        env["QT_QPA_PLATFORM"] = "offscreen"
    else:
        if not env.get("DISPLAY"):
            xvfb, env["DISPLAY"] = start_xvfb(max(width, SETUP_SCREEN[0]), max(height, SETUP_SCREEN[1]))
        env["QT_QPA_PLATFORM"] = "xcb"
        warn_without_cjk_fonts()
    code = 0
    try:
        with tempfile.TemporaryDirectory(prefix="ozondesk-shots-") as temp:
            # Desk settings (who works here, the window layout) of a throwaway desk: the
            # shots never start from, nor change, this machine's own desk.ini.
            os.environ["OZONDESK_CONFIG_DIR"] = env["OZONDESK_CONFIG_DIR"] = str(Path(temp) / "config")
            db_path = Path(temp) / "demo.sqlite"
            if args.only != "setup":
                print(f"demo database: {args.demo_size} conversations", flush=True)
                make_demo_database(db_path, args.demo_size)
            for language in args.languages if args.only != "setup" else ():
                child_env = dict(env, OZONDESK_LANG=language)
                command = [sys.executable, str(Path(__file__).resolve()), "--child", language,
                           "--db", str(db_path), "--out", str(args.out), "--size", args.size]  # fmt: skip
                result = subprocess.run(command, env=child_env, timeout=600)
                if result.returncode != 0:
                    print(f"{language}: the app exited {result.returncode}", file=sys.stderr)
                    code = 1
            for language in SETUP_LANGUAGES if args.only != "main" else ():
                # Its own folders: the assistant starts on an empty desk, settings included.
                home = Path(temp) / f"setup-{language}"
                child_env = dict(env, OZONDESK_LANG=language, XDG_DATA_HOME=str(home / "data"),
                                 XDG_CONFIG_HOME=str(home / "config"),
                                 OZONDESK_CONFIG_DIR=str(home / "config"))  # fmt: skip
                child_env.pop("OZONDESK_DB", None)
                command = [sys.executable, str(Path(__file__).resolve()), "--setup-child",
                           language, "--out", str(args.out)]  # fmt: skip
                result = subprocess.run(command, env=child_env, timeout=600)
                if result.returncode != 0:
                    print(f"{language}: the assistant exited {result.returncode}", file=sys.stderr)
                    code = 1
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(timeout=10)
    return code


# -- the child: the app's window in one language -----------------------------------------


def pump(ms: int) -> None:
    """Let the window work for ``ms``: a local event loop, as the app's self-test does."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(window: object, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    pixmap = window.grab()  # type: ignore[attr-defined]
    if not pixmap.save(str(target), "PNG", 0):  # 0: smallest file
        raise SystemExit(f"cannot write {target}")
    print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}", flush=True)


def open_replyable_conversation(window: object) -> bool:
    """Select inbox rows until one's composer accepts a reply (its reply window is open)."""
    table, composer = window.table, window.composer  # type: ignore[attr-defined]
    if composer is None:
        return False
    for row in range(min(40, table.model().rowCount())):
        table.selectRow(row)
        pump(700)
        verdict = composer.window() if hasattr(composer, "window") else None
        if composer.editor.isEnabled() and getattr(verdict, "allowed", True):
            return True
    return False


DRILL_ANSWER = (
    "Здравствуйте! Приносим извинения за неудобства. Оформите, пожалуйста, возврат "
    "в личном кабинете, постараемся решить вопрос в ближайшее время."
)


def start_first_drill(window: object) -> None:
    """A running drill (ticket, countdown, a linted answer) says more than an empty list."""
    from PySide6.QtWidgets import QWidget

    panels = [w for w in window.findChildren(QWidget)  # type: ignore[attr-defined]
              if all(hasattr(w, a) for a in ("drill_list", "start_button", "answer"))]  # fmt: skip
    if not panels or panels[0].drill_list.count() == 0:
        print("  note: no drill to start; the drill shot shows the list")
        return
    panel = panels[0]
    panel.drill_list.setCurrentRow(0)
    pump(500)
    if panel.start_button.isEnabled():
        panel.start_button.click()
        pump(1500)
    editor = getattr(panel.answer, "editor", None)
    if editor is not None and editor.isEnabled() and not editor.isReadOnly():
        editor.setFocus()
        editor.setPlainText(DRILL_ANSWER)
        pump(2000)  # the linter runs after a typing pause


def shoot(language: str, db_path: Path, out: Path, width: int, height: int) -> int:
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from ozondesk.app import apply_interface_language, build_window
    from ozondesk.store.db import open_database
    from ozondesk.store.repos.policies import current_policies

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("OzonDesk")
    if language == "zh_CN":
        font = QFont(app.font())
        font.setFamilies(["Noto Sans CJK SC", *font.families()])
        app.setFont(font)
    db = open_database(str(db_path))
    apply_interface_language(db)  # OZONDESK_LANG, set by the parent, wins
    with db.begin() as session:
        policies = current_policies(session)
    window, sync, runner = build_window(db, policies, NO_NETWORK)
    if window.presence_panel is not None:
        window.presence_panel.confirm = lambda _parent, _text: True  # nobody answers a dialog
    window.resize(width, height)
    window.show()
    window.start()
    print(f"{language}:", flush=True)
    pump(2500)
    code = 0
    try:
        if not window.show_workspace("inbox"):
            print("  note: no inbox workspace; skipped inbox and conversation")
        elif not open_replyable_conversation(window):
            print("  note: no conversation with an open reply window; skipped both inbox shots")
        else:
            pump(800)
            save(window, out / "inbox.png")
            code |= kept_size(window, width, height, "inbox.png")
            window.composer.editor.setFocus()
            window.composer.editor.setPlainText(VAGUE_REPLY)
            window.composer.editor.moveCursor(window.composer.editor.textCursor().MoveOperation.End)
            pump(2000)  # the linter runs after a typing pause
            save(window, out / "conversation.png")
            code |= kept_size(window, width, height, "conversation.png")
            window.composer.editor.clear()
            pump(300)
        for shot, workspace in WORKSPACE_SHOTS.items():
            if not window.show_workspace(workspace):
                print(f"  note: no {workspace!r} workspace in this build; skipped {shot}.png")
                continue
            pump(2500)
            if workspace == "drills":
                start_first_drill(window)
            save(window, out / f"{shot}.png")
            code |= kept_size(window, width, height, f"{shot}.png")
    finally:
        window.close()
        sync.shutdown()
        runner.shutdown()
        db.dispose()
    return code


def kept_size(window: Any, width: int, height: int, shot: str) -> int:
    """0 when the window still has the size it was given, else 1 with a line naming the shot."""
    if (window.width(), window.height()) == (width, height):
        return 0
    print(f"  {shot}: the window resized itself to {window.width()}x{window.height()} "
          f"(asked {width}x{height})", file=sys.stderr)
    return 1


# -- the setup assistant's child: an empty desk, a fake Seller API, one language -----------

SETUP_PEOPLE = (
    ("李明", "li.ming", "lead"),
    ("王芳", "wang.fang", "agent"),
    ("Анна Смирнова", "anna.smirnova", "trainer"),
)


def wait_for(predicate: object, timeout_ms: int, what: str) -> None:
    """Pump the event loop until ``predicate()`` holds; SystemExit naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"setup shots: gave up waiting for {what}")
        pump(50)


def memory_keyring() -> object:
    """A keyring that lives and dies with this process: the shots' fake key never reaches the
    system keyring. Marked as a test double, the only kind besides system keyrings OzonDesk
    accepts (ozondesk.keyring_check)."""
    from keyring.backend import KeyringBackend

    class ShotKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        ozondesk_test_double = True

        def __init__(self) -> None:
            super().__init__()
            self.entries: dict[tuple[str, str], str] = {}

        def set_password(self, service: str, username: str, password: str) -> None:
            self.entries[(service, username)] = password

        def get_password(self, service: str, username: str) -> str | None:
            return self.entries.get((service, username))

        def delete_password(self, service: str, username: str) -> None:
            self.entries.pop((service, username), None)

    return ShotKeyring()


def shoot_setup(language: str, out: Path) -> int:
    try:
        from ozondesk.ui.setup.launch import team_service
        from ozondesk.ui.setup.wizard import DESK, SYNC, TEAM, SetupWizard
    except ImportError as exc:
        print(f"  note: no setup assistant in this build ({exc}); skipped setup-*.png")
        return 0
    import keyring
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from ozondesk.i18n import set_language
    from ozondesk.ozon.fake import FakeOzon
    from ozondesk.store.db import open_database

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("OzonDesk")
    if language == "zh_CN":
        font = QFont(app.font())
        font.setFamilies(["Noto Sans CJK SC", *font.families()])
        app.setFont(font)
    set_language(language)
    keyring.set_keyring(memory_keyring())
    print(f"{language} (setup assistant):", flush=True)
    with tempfile.TemporaryDirectory(prefix="ozondesk-setup-shots-") as temp, FakeOzon(
        port=0, chats=40, messages=4, lifetime=600
    ) as fake:
        db = open_database(str(Path(temp) / "desk.sqlite"))
        wizard = SetupWizard(db, team_service(db), base_url=fake.url)
        wizard.show()
        try:
            walk_the_assistant(wizard, fake, out, (TEAM, DESK, SYNC))
        finally:
            wizard.close()
            pump(300)
            db.dispose()
    return 0


def walk_the_assistant(wizard: object, fake: object, out: Path, ids: tuple[int, int, int]) -> None:
    team_id, desk_id, sync_id = ids
    w: Any = wizard
    pump(800)
    shop = w.shop_page
    shop.name_edit.setText("Юэсинь Домашний текстиль")
    shop.client_id_edit.setText(fake.client_id)  # type: ignore[attr-defined]
    shop.key_edit.setText(fake.api_key)  # type: ignore[attr-defined]
    shop.test_connection()
    wait_for(lambda: shop.last_check is not None, 20_000, "the connection test")
    w.button(w.WizardButton.NextButton).setFocus()  # no text cursor blinking in the shot
    pump(300)
    save(w, out / "setup-shop.png")

    w.next()
    wait_for(lambda: w.currentId() == team_id, 20_000, "the team page")
    team = w.team_page
    for name, login, role in SETUP_PEOPLE:
        rows = team.table.rowCount()
        team.name_edit.setText(name)
        team.login_edit.setText(login)
        team.role_combo.setCurrentIndex(team.role_combo.findData(role))
        team.add_person()
        wait_for(lambda r=rows: team.table.rowCount() == r + 1 and not team.adding, 10_000,
                 f"adding {login}")  # fmt: skip
    pump(300)
    save(w, out / "setup-team.png")

    w.next()
    wait_for(lambda: w.currentId() == desk_id and w.desk_page.isComplete(), 20_000, "the desk page")
    desk = w.desk_page
    desk.person_combo.setCurrentIndex(max(0, desk.person_combo.findData("wang.fang")))
    desk.language_combo.setCurrentIndex(max(0, desk.language_combo.findData(os.environ.get("OZONDESK_LANG"))))
    pump(300)
    save(w, out / "setup-desk.png")

    w.next()
    wait_for(lambda: w.currentId() == sync_id, 20_000, "the first-sync page")
    page = w.sync_page
    wait_for(lambda: page.result is not None and not w.first_sync.running, 120_000,
             "the first sync")  # fmt: skip
    pump(500)
    save(w, out / "setup-sync.png")


if __name__ == "__main__":
    sys.exit(main())
