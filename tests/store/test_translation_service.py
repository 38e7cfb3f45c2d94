"""TranslationService on SQLite and PostgreSQL: masking before the engine, the shared cache,
the glossary both ways (leads only), the characters counted per Moscow day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from desk_setup import add_shop
from support import MemoryKeyring

from ozondesk.domain.roles import PermissionDenied
from ozondesk.errors import UserError
from ozondesk.services.translation import GlossaryEntry, Translation, TranslationService, UsageRow
from ozondesk.translation.engine import TranslationError
from ozondesk.translation.fake_engine import FakeEngine
from ozondesk.translation.fake_servers import FakeTranslateServer

LATE_EVENING = datetime(2026, 12, 5, 20, 30, tzinfo=UTC)  # 23:30 MSK on the 5th
AFTER_MIDNIGHT_MSK = datetime(2026, 12, 5, 21, 30, tzinfo=UTC)  # 00:30 MSK on the 6th


def _service(db, engine=None, **kwargs) -> TranslationService:
    return TranslationService(db, engine=engine or FakeEngine(),
                              keyring_backend=MemoryKeyring(), **kwargs)


def test_personal_data_never_reaches_the_engine_and_comes_back(db) -> None:
    engine = FakeEngine()
    service = _service(db, engine)
    text = ("Здравствуйте! Где мой заказ 12345678-0001-1? Звоните +7 912 345-67-89, "
            "почта anna.k@mail.ru")
    result = service.translate(text, "zh")
    assert engine.sent == [
        '您好! 我的订单在哪里 <x i="1"/>? Звоните <x i="2"/>, почта <x i="3"/>'.replace(
            "您好", "Здравствуйте").replace("我的订单在哪里", "Где мой заказ")
    ]
    assert result == Translation(
        "[zh] 您好! 我的订单在哪里 12345678-0001-1? Звоните +7 912 345-67-89, почта anna.k@mail.ru",
        "fake", False, ("email", "phone", "order_number"),
    )


def test_the_same_text_is_asked_once_and_the_cache_keeps_no_personal_data(db) -> None:
    engine = FakeEngine()
    first = _service(db, engine).translate("Ваш заказ 12345678-0001 отправим", "zh")
    # Another desk of the team, another buyer's order number: the masked text is the same.
    second = _service(db, engine).translate("Ваш заказ 87654321-0002 отправим", "zh")
    assert engine.calls == 1
    assert (first.cached, second.cached) == (False, True)
    assert second.text == "[zh] 您的订单 87654321-0002 我们将发货"
    from sqlalchemy import select

    from ozondesk.store.translation_models import TranslationCacheRow

    with db.read() as session:
        rows = session.execute(select(TranslationCacheRow.result, TranslationCacheRow.hits)).all()
    assert [tuple(r) for r in rows] == [('[zh] 您的订单 <x i="1"/> 我们将发货', 1)]


def test_placeholders_and_moscow_deadlines_survive_both_ways(db) -> None:
    engine = FakeEngine()
    service = _service(db, engine)
    russian = service.translate("我们将发货 до 18:00 МСК сегодня, {order_number}", "ru")
    assert engine.sent == ['我们将发货 <x i="1"/>, <x i="2"/>']
    assert russian.text == "[ru] отправим до 18:00 МСК сегодня, {order_number}"
    back = service.translate("Отправим 4 декабря до 18:00 МСК", "zh")
    assert back.text == "[zh] 我们将发货 4 декабря до 18:00 МСК"


def test_glossary_applies_both_ways_with_russian_endings(db, people) -> None:
    service = _service(db, agent_id=people["lead"])
    service.set_glossary_entry("пункт выдачи", "取货点")
    service.set_glossary_entry("трек-номер", "物流单号")
    assert service.glossary() == [GlossaryEntry("пункт выдачи", "取货点"),
                                  GlossaryEntry("трек-номер", "物流单号")]
    to_zh = service.translate("Заберите в пункте выдачи, трек-номер пришлём", "zh")
    assert to_zh.text == "[zh] Заберите в 取货点, 物流单号 пришлём"
    to_ru = service.translate("请到取货点取件", "ru")
    assert to_ru.text == "[ru] пожалуйста到пункт выдачи取件"
    service.delete_glossary_entry("трек-номер")
    assert service.glossary() == [GlossaryEntry("пункт выдачи", "取货点")]


@pytest.fixture
def people(db) -> dict[str, int]:
    people = {"agent": ("li", "Li Na", "agent"), "lead": ("wang", "Wang Lei", "lead"),
              "gone": ("old", "Old Lead", "lead")}
    return {key: a.id for key, a in add_shop(db, people, inactive={"gone"}).items()}


def test_only_a_lead_changes_the_glossary(db, people) -> None:
    agent = _service(db, agent_id=people["agent"])
    with pytest.raises(PermissionDenied, match="only a team lead can change the translation glossary"):
        agent.set_glossary_entry("пункт выдачи", "取货点")
    with pytest.raises(PermissionDenied):
        _service(db).delete_glossary_entry("пункт выдачи")  # nobody at the desk
    with pytest.raises(PermissionDenied):
        _service(db, agent_id=people["gone"]).set_glossary_entry("пункт выдачи", "取货点")
    with pytest.raises(UserError, match="needs both the Russian and the Chinese term"):
        _service(db, agent_id=people["lead"]).set_glossary_entry("пункт выдачи", "  ")
    assert agent.glossary() == []


def test_characters_sent_are_counted_per_moscow_day_and_cache_hits_count_nothing(db) -> None:
    now = [LATE_EVENING]
    service = _service(db, clock=lambda: now[0])
    service.translate("Спасибо", "zh")  # 7 characters, 23:30 MSK on the 5th
    service.translate("Спасибо", "zh")  # cached: nothing sent
    now[0] = AFTER_MIDNIGHT_MSK
    service.translate("Извините, пожалуйста", "zh")  # 20 characters, the 6th in Moscow
    assert service.usage(days=7) == [
        UsageRow(date(2026, 12, 6), "fake", 20, 1),
        UsageRow(date(2026, 12, 5), "fake", 7, 1),
    ]
    assert service.usage(days=1) == [UsageRow(date(2026, 12, 6), "fake", 20, 1)]


def test_engine_failure_changes_nothing(db) -> None:
    engine = FakeEngine()
    engine.fail = TranslationError("DeepL refused the key: enter a valid key")
    service = _service(db, engine)
    with pytest.raises(UserError, match="^DeepL refused the key"):
        service.translate("Спасибо", "zh")
    assert service.usage() == []
    engine.fail = None
    assert service.translate("Спасибо", "zh").cached is False


def test_no_engine_chosen_is_one_line_and_libretranslate_works_without_a_key(db) -> None:
    keyring = MemoryKeyring()
    service = TranslationService(db, keyring_backend=keyring,
                                 engine_options={"pause": lambda _s: None})
    assert (service.configured(), service.engine_name()) == (False, None)
    with pytest.raises(UserError, match="no translation engine is chosen: pick one in Settings"):
        service.translate("Спасибо", "zh")
    with FakeTranslateServer("libretranslate") as fake:
        service.configure("libretranslate", url=fake.url)
        assert (service.configured(), service.engine_name()) == (True, "LibreTranslate")
        result = service.translate("Спасибо, {name}", "zh")
        assert result == Translation("[zh] 谢谢, {name}", "libretranslate", False, ())
        assert fake.requests == [{"q": '谢谢, <x i="1"/>'.replace("谢谢", "Спасибо"),
                                  "source": "ru", "target": "zh", "format": "html"}]
    service.close()


def test_an_engine_that_needs_a_key_is_not_configured_without_one(db) -> None:
    keyring = MemoryKeyring()
    service = TranslationService(db, keyring_backend=keyring)
    service.configure("deepl")
    assert service.configured() is False
    with pytest.raises(UserError, match="no key for DeepL on this desk"):
        service.translate("Спасибо", "zh")
    service.configure("deepl", key="secret-deepl-key:fx")
    assert service.configured() is True
    assert keyring.entries == {("ozondesk.translation", "deepl"): "secret-deepl-key:fx"}
    # The key is in the keyring only: not in the settings table.
    from sqlalchemy import select

    from ozondesk.store.models import Setting

    with db.read() as session:
        values = [str(v) for v in session.scalars(select(Setting.value))]
    assert not any("secret-deepl-key" in v for v in values)


def test_libretranslate_without_keys_works_on_a_desk_whose_keyring_is_refused(db, tmp_path) -> None:
    # keyrings.alt's plain file is refused as a place for secrets; a keyless server needs none.
    from keyrings.alt.file import PlaintextKeyring

    plaintext = PlaintextKeyring()
    plaintext.file_path = str(tmp_path / "keyring_pass.cfg")  # type: ignore[misc]
    service = TranslationService(db, keyring_backend=plaintext,
                                 engine_options={"pause": lambda _s: None})
    with FakeTranslateServer("libretranslate") as fake:
        service.configure("libretranslate", url=fake.url)
        assert service.translate("Спасибо", "zh").text == "[zh] 谢谢"
        assert "api_key" not in fake.requests[0]
    service.close()
    assert not (tmp_path / "keyring_pass.cfg").exists()
