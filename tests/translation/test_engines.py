"""The three engines against loopback fakes of their documented APIs: what is sent, what is
read back, retries on 429 / 5xx / dropped connections, and one line for each failure."""

from __future__ import annotations

import socket

import pytest

from ozondesk.translation.deepl import DeepL, default_url
from ozondesk.translation.engine import BadKey, QuotaExhausted, TranslationError, Unreachable
from ozondesk.translation.fake_servers import FakeTranslateServer
from ozondesk.translation.libretranslate import LibreTranslate
from ozondesk.translation.yandex import YandexTranslate

MARKUP = 'Ваш заказ <x i="1"/> отправим<br/><x i="2"/>'
IN_CHINESE = '[zh] 您的订单 <x i="1"/> 我们将发货<br/><x i="2"/>'


class Pauses(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _engine(kind: str, fake: FakeTranslateServer, key: str, pauses: Pauses, **kwargs):
    if kind == "yandex":
        return YandexTranslate(key, "b1gfolder", fake.url, pause=pauses, **kwargs)
    if kind == "deepl":
        return DeepL(key, fake.url, pause=pauses, **kwargs)
    return LibreTranslate(fake.url, key, pause=pauses, **kwargs)


KEYS = {"yandex": "AQVN-yandex-key", "deepl": "deepl-key:fx", "libretranslate": "libre-key"}


def test_yandex_request_and_answer_follow_api_v2() -> None:
    with FakeTranslateServer("yandex", key=KEYS["yandex"]) as fake:
        engine = _engine("yandex", fake, KEYS["yandex"], Pauses())
        assert engine.translate([MARKUP], "zh", "ru") == [IN_CHINESE]
        engine.close()
    assert fake.requests == [{"texts": [MARKUP], "targetLanguageCode": "zh", "format": "HTML",
                              "sourceLanguageCode": "ru", "folderId": "b1gfolder"}]
    assert fake.headers[0]["Authorization"] == "Api-Key AQVN-yandex-key"


def test_deepl_request_and_answer_follow_v2_translate() -> None:
    with FakeTranslateServer("deepl", key=KEYS["deepl"]) as fake:
        engine = _engine("deepl", fake, KEYS["deepl"], Pauses())
        assert engine.translate([MARKUP, "Спасибо"], "zh", "ru") == [IN_CHINESE, "[zh] 谢谢"]
        engine.close()
    assert fake.requests == [{"text": [MARKUP, "Спасибо"], "target_lang": "ZH-HANS",
                              "tag_handling": "xml", "source_lang": "RU"}]
    assert fake.headers[0]["Authorization"] == "DeepL-Auth-Key deepl-key:fx"


def test_deepl_free_keys_go_to_the_free_endpoint() -> None:
    assert default_url("abc:fx") == "https://api-free.deepl.com"
    assert default_url("abc") == "https://api.deepl.com"
    assert DeepL("abc:fx").url == "https://api-free.deepl.com/v2/translate"


def test_libretranslate_request_and_answer() -> None:
    with FakeTranslateServer("libretranslate", key=KEYS["libretranslate"]) as fake:
        engine = _engine("libretranslate", fake, KEYS["libretranslate"], Pauses())
        assert engine.translate([MARKUP], "zh", "ru") == [IN_CHINESE]
        assert engine.translate(["谢谢", "您好"], "ru", "zh") == ["[ru] спасибо", "[ru] здравствуйте"]
        engine.close()
    assert fake.requests == [
        {"q": MARKUP, "source": "ru", "target": "zh", "format": "html", "api_key": "libre-key"},
        {"q": ["谢谢", "您好"], "source": "zh", "target": "ru", "format": "html",
         "api_key": "libre-key"},
    ]


def test_libretranslate_without_keys_sends_none_and_learns_zh_hans() -> None:
    with FakeTranslateServer("libretranslate", zh_code="zh-Hans") as fake:
        engine = LibreTranslate(fake.url, pause=Pauses())
        assert engine.translate(["Спасибо"], "zh", "ru") == ["[zh] 谢谢"]
        assert engine.translate(["Да"], "zh", "ru") == ["[zh] 是"]
        engine.close()
    assert [r["target"] for r in fake.requests] == ["zh", "zh-Hans", "zh-Hans"]
    assert all("api_key" not in r for r in fake.requests)


@pytest.mark.parametrize("kind", ["yandex", "deepl", "libretranslate"])
@pytest.mark.parametrize("fault", ["429", "500", "drop"])
def test_busy_or_failing_servers_are_retried_with_backoff(kind: str, fault: str) -> None:
    pauses = Pauses()
    with FakeTranslateServer(kind, key=KEYS[kind]) as fake:
        fake.inject(fault, times=2)
        engine = _engine(kind, fake, KEYS[kind], pauses, backoff=0.01)
        assert engine.translate(["Спасибо"], "zh", "ru") == ["[zh] 谢谢"]
        engine.close()
    assert fake.calls == 3
    assert pauses == [0.01, 0.02]


@pytest.mark.parametrize("kind", ["yandex", "deepl", "libretranslate"])
def test_still_busy_after_the_retries_is_one_line(kind: str) -> None:
    with FakeTranslateServer(kind, key=KEYS[kind]) as fake:
        fake.inject("429", times=4)
        engine = _engine(kind, fake, KEYS[kind], Pauses(), backoff=0.0)
        with pytest.raises(TranslationError) as caught:
            engine.translate(["Спасибо"], "zh", "ru")
        engine.close()
    assert fake.calls == 4
    assert "\n" not in caught.value.message
    assert caught.value.message == {
        "yandex": "Yandex Cloud Translate quota is used up (requests or characters per hour): "
                  "try again later, or raise the quota in the Yandex Cloud console",
        "deepl": "DeepL is busy (too many requests): try again in a minute",
        "libretranslate": "LibreTranslate is busy (too many requests): try again in a minute",
    }[kind]


@pytest.mark.parametrize(("kind", "message"), [
    ("yandex", "Yandex Cloud Translate refused the key: enter a valid API key in Settings → "
               "Translation"),
    ("deepl", "DeepL refused the key: enter a valid authentication key in Settings → "
              "Translation (a free key ends with :fx)"),
    ("libretranslate", "the LibreTranslate server refused the key (Invalid API key): enter the "
                       "key it issued in Settings → Translation"),
])
def test_a_wrong_key_is_named_and_not_retried(kind: str, message: str) -> None:
    with FakeTranslateServer(kind, key=KEYS[kind]) as fake:
        engine = _engine(kind, fake, "wrong-key", Pauses())
        with pytest.raises(BadKey) as caught:
            engine.translate(["Спасибо"], "zh", "ru")
        engine.close()
    assert caught.value.message == message
    assert fake.calls == 1


def test_deepl_quota_of_the_month_is_named() -> None:
    with FakeTranslateServer("deepl", key=KEYS["deepl"]) as fake:
        fake.inject("quota")
        engine = _engine("deepl", fake, KEYS["deepl"], Pauses())
        with pytest.raises(QuotaExhausted, match="^the DeepL character quota of this month is "
                                                 "used up"):
            engine.translate(["Спасибо"], "zh", "ru")
        engine.close()
    assert fake.calls == 1


def test_libretranslate_char_limit_is_named() -> None:
    with FakeTranslateServer("libretranslate", char_limit=5) as fake:
        engine = LibreTranslate(fake.url, pause=Pauses())
        with pytest.raises(QuotaExhausted, match=r"^the LibreTranslate server refused a text this "
                                                 r"long \(Invalid request: request \(7\) exceeds "
                                                 r"text limit \(5\)\)$"):
            engine.translate(["Спасибо"], "zh", "ru")
        engine.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("kind", ["yandex", "deepl", "libretranslate"])
def test_no_server_is_one_line_naming_the_address(kind: str) -> None:
    port = _closed_port()
    pauses = Pauses()

    class Nowhere:
        url = f"http://127.0.0.1:{port}"

    engine = _engine(kind, Nowhere, KEYS[kind], pauses, backoff=0.0)  # type: ignore[arg-type]
    with pytest.raises(Unreachable) as caught:
        engine.translate(["Спасибо"], "zh", "ru")
    engine.close()
    assert caught.value.message.startswith("cannot reach ")
    assert caught.value.message.endswith(
        f" at http://127.0.0.1:{port}: check the network or the server address in "
        "Settings → Translation")
    assert len(pauses) == 3


def test_yandex_splits_requests_at_its_10000_character_limit() -> None:
    texts = ["а" * 6000, "б" * 6000, "в" * 3000]
    with FakeTranslateServer("yandex", key=KEYS["yandex"]) as fake:
        engine = _engine("yandex", fake, KEYS["yandex"], Pauses())
        out = engine.translate(texts, "zh", "ru")
        engine.close()
    assert out == [f"[zh] {t}" for t in texts]
    assert [len(r["texts"]) for r in fake.requests] == [1, 2]
