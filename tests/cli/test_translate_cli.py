"""`ozondesk translate`: the JSON contract against each engine's loopback fake, the team's cache,
keys from the keyring or OZONDESK_TRANSLATE_KEY, and one-line refusals with exit 2."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from support import MemoryKeyring

from ozondesk.cli import main
from ozondesk.store.db import open_database
from ozondesk.translation.fake_servers import FakeTranslateServer

MESSAGE = "Здравствуйте! Где мой заказ 12345678-0001-1? Мой телефон +7 912 345-67-89\n"


class Cli:
    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                 backend: MemoryKeyring) -> None:
        self.capsys, self.monkeypatch, self.backend = capsys, monkeypatch, backend

    def run(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *argv: str, stdin: str = "") -> dict:
        code, out, err = self.run(*argv, "--format", "json", stdin=stdin)
        assert (code, err) == (0, ""), err
        return json.loads(out)

    def refused(self, *argv: str, stdin: str = "") -> str:
        code, out, err = self.run(*argv, stdin=stdin)
        assert code == 2 and out == "", (out, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        return lines[0]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    monkeypatch.delenv("OZONDESK_TRANSLATE_KEY", raising=False)
    yield Cli(capsys, monkeypatch, backend)
    keyring.set_keyring(previous)


def test_libretranslate_without_keys_or_a_database(cli: Cli) -> None:
    with FakeTranslateServer("libretranslate") as fake:
        body = cli.json("translate", "--to", "zh", "--engine", "libretranslate",
                        "--url", fake.url, "-", stdin=MESSAGE)
    assert body == {
        "text": "[zh] 您好! 我的订单在哪里 12345678-0001-1? Мой телефон +7 912 345-67-89",
        "engine": "libretranslate", "cached": False, "masked": ["phone", "order_number"],
    }
    assert list(body) == ["text", "engine", "cached", "masked"]
    # Neither the phone nor the order number left the machine.
    assert fake.requests == [{"q": 'Здравствуйте! Где мой заказ <x i="1"/>? Мой телефон <x i="2"/>',
                              "source": "ru", "target": "zh", "format": "html"}]


def test_with_a_desk_database_the_second_run_is_cached(cli: Cli, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "desk.sqlite"
    open_database(str(db)).dispose()
    monkeypatch.setenv("OZONDESK_DB", str(db))
    text = tmp_path / "reply.txt"
    text.write_text("我们将发货 {deadline_msk}\n", encoding="utf-8")
    with FakeTranslateServer("deepl", key="deepl-key:fx") as fake:
        cli.backend.set_password("ozondesk.translation", "deepl", "deepl-key:fx")
        args = ("translate", "--to", "ru", "--engine", "deepl", "--url", fake.url, str(text))
        first, second = cli.json(*args), cli.json(*args)
    assert first == {"text": "[ru] отправим {deadline_msk}", "engine": "deepl",
                     "cached": False, "masked": []}
    assert second == {**first, "cached": True}
    assert fake.calls == 1


def test_yandex_key_from_the_environment_for_scripts(cli: Cli,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OZONDESK_TRANSLATE_KEY", "AQVN-script-key")
    with FakeTranslateServer("yandex", key="AQVN-script-key") as fake:
        code, out, err = cli.run("translate", "--to", "zh", "--engine", "yandex", "--url",
                                 fake.url, "--folder-id", "b1gfolder", stdin="Спасибо")
    assert (code, out, err) == (0, "[zh] 谢谢\n", "")
    assert fake.requests[0]["folderId"] == "b1gfolder"
    assert fake.headers[0]["Authorization"] == "Api-Key AQVN-script-key"


def test_a_wrong_key_is_one_line_without_the_key(cli: Cli,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OZONDESK_TRANSLATE_KEY", "wrong-deepl-key")
    with FakeTranslateServer("deepl", key="right-key") as fake:
        line = cli.refused("translate", "--to", "zh", "--engine", "deepl", "--url", fake.url,
                           stdin="Спасибо")
    assert line == ("DeepL refused the key: enter a valid authentication key in Settings → "
                    "Translation (a free key ends with :fx)")


@pytest.mark.parametrize(("argv", "line"), [
    (("translate", "--to", "en"),
     "ozondesk translate: argument --to: invalid choice: 'en' (choose from 'zh', 'ru') "
     "(see 'ozondesk translate --help')"),
    (("translate", "--to", "zh", "--engine", "google"),
     "ozondesk translate: argument --engine: invalid choice: 'google' (choose from 'yandex', "
     "'libretranslate', 'deepl') (see 'ozondesk translate --help')"),
    (("translate", "--to", "zh", "--engine", "libretranslate", "--url", "ftp://x"),
     "the translation server address 'ftp://x' is not an http(s) URL, e.g. http://127.0.0.1:5000"),
    (("translate", "--to", "zh", "--engine", "libretranslate"),
     "LibreTranslate needs the address of its server, e.g. http://127.0.0.1:5000"),
    (("translate", "--to", "zh"),
     "no translation engine is chosen: pick one in Settings → Translation"),
    (("translate", "--to", "zh", "--engine", "deepl"),
     "no key for DeepL on this desk: enter it in Settings → Translation, or set "
     "OZONDESK_TRANSLATE_KEY"),
    (("translate", "--to", "zh", "--engine", "deepl", "/nonexistent/reply.txt"),
     "/nonexistent/reply.txt: no such file"),
])
def test_bad_input_is_one_line_and_exit_2(cli: Cli, argv: tuple[str, ...], line: str) -> None:
    assert cli.refused(*argv, stdin="Спасибо") == line


def test_a_file_that_is_not_utf8_is_refused(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "cp1251.txt"
    bad.write_bytes("Спасибо".encode("cp1251"))
    assert cli.refused("translate", "--to", "zh", "--engine", "libretranslate", "--url",
                       "http://127.0.0.1:9", str(bad)) == (
        f"{bad} is not UTF-8 text: save it as UTF-8 and try again")
