"""`ozondesk fake-translate` and `ozondesk translate` as a script runs them: two processes, the
key in OZONDESK_TRANSLATE_KEY, the text on standard input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

KEY = "script-deepl-key:fx"


@pytest.fixture
def fake_deepl() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ozondesk.cli", "fake-translate", "--engine", "deepl", "--port",
         "0", "--key", KEY],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, f"fake-translate printed nothing: {proc.stderr.read() if proc.stderr else ''}"
        info = json.loads(line)
        assert list(info) == ["url", "engine", "key"]
        assert (info["engine"], info["key"]) == ("deepl", KEY)
        yield info["url"]
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def translate(url: str, key: str, text: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OZONDESK_TRANSLATE_KEY": key}
    return subprocess.run(
        [sys.executable, "-m", "ozondesk.cli", "translate", "--to", "zh", "--engine", "deepl",
         "--url", url, "-", "--format", "json"],
        input=text, env=env, capture_output=True, text=True, timeout=60,
    )


def test_a_script_translates_through_the_fake_with_the_key_from_the_environment(
        fake_deepl: str) -> None:
    done = translate(fake_deepl, KEY, "Спасибо! Пишите на anna@mail.ru\n")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == {"text": "[zh] 谢谢! Пишите на anna@mail.ru",
                                       "engine": "deepl", "cached": False, "masked": ["email"]}


def test_a_wrong_key_exits_2_with_one_line(fake_deepl: str) -> None:
    done = translate(fake_deepl, "not-the-key", "Спасибо")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == ("DeepL refused the key: enter a valid authentication key in "
                           "Settings → Translation (a free key ends with :fx)\n")
