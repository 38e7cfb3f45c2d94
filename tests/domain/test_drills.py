"""Drill sets: the file format and the scoring of answers (real linter, real pymorphy3)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ozondesk.domain.clock import MOSCOW
from ozondesk.domain.drills import (
    FAMILIES,
    PASS_SCORE,
    Drill,
    DrillSet,
    DrillSetError,
    Fact,
    LogisticsEvent,
    MockContext,
    MockItem,
    Score,
    answer_lemmas,
    concrete_deadlines,
    dumps_set,
    fact_found,
    load_set,
    load_starter_set,
    loads_set,
    number_from_words,
    parse_set,
    save_set,
    score_answer,
    set_to_dict,
)
from ozondesk.domain.lint import LintContext

NOW = MOSCOW.localize(datetime(2026, 11, 23, 12, 0)).astimezone(UTC)
CTX = LintContext(now=NOW)
QUICK = timedelta(minutes=3)

GOOD = {
    "return-size-did-not-fit": (
        "Здравствуйте, Ольга! Куртку надлежащего качества можно вернуть в течение семи дней после "
        "получения. Оформите возврат в личном кабинете Ozon, в разделе «Заказы», и сохраните "
        "ярлыки. Деньги вернутся на карту, которой вы оплатили заказ, в течение трёх рабочих дней "
        "после приёмки куртки на складе."
    ),
    "delay-stuck-in-sorting-centre": (
        "Здравствуйте, Дмитрий! Извините за задержку. Посылка с 18 ноября находится в "
        "сортировочном центре в Екатеринбурге. Мы отправили запрос перевозчику и напишем вам до "
        "18:00 МСК 25 ноября. Если посылку не найдут, вернём полную стоимость заказа."
    ),
    "counterfeit-headphones": (
        "Здравствуйте, Игорь! Спасибо, что написали. У нас есть декларация соответствия и "
        "письмо-авторизация производителя. Пришлите, пожалуйста, фото серийного номера и коробки "
        "в этот чат. Мы проверим партию и ответим завтра до восемнадцати часов по московскому "
        "времени. Если проблема подтвердится, вернём деньги полностью."
    ),
}


@pytest.fixture(scope="module")
def starter() -> Any:
    return load_starter_set()


def drill(starter: Any, drill_id: str) -> Drill:
    found = starter.get(drill_id)
    assert found is not None
    return found


# -- the starter set -----------------------------------------------------------------------


def test_starter_set_covers_each_family_with_at_least_three_drills(starter: Any) -> None:
    for family in FAMILIES:
        drills = [d for d in starter.drills if d.family == family]
        assert len(drills) >= 3, family
        for d in drills:
            assert d.scenario_ru and d.gloss_zh and d.facts and d.context.order_number
            assert any("\u4e00" <= ch <= "\u9fff" for ch in d.gloss_zh)
            assert d.time_limit_minutes > 0


@pytest.mark.parametrize("drill_id", sorted(GOOD))
def test_a_model_answer_scores_100_and_passes(starter: Any, drill_id: str) -> None:
    score = score_answer(drill(starter, drill_id), GOOD[drill_id], QUICK, CTX)
    assert score.total == PASS_SCORE and score.passed
    assert score.facts_missing == () and score.lint_errors == ()


# -- facts on lemmas ---------------------------------------------------------------------


def test_a_fact_in_another_inflection_is_found() -> None:
    fact = Fact("refund", "Вернём деньги на карту", (("вернуть",), ("деньги",), ("карта",)))
    assert fact_found(fact, answer_lemmas("Деньгами не обойдётся: вернём на карту."))
    assert fact_found(fact, answer_lemmas("Денег вернули на картах"))
    assert fact_found(fact, answer_lemmas("ВЕРНЁМ ДЕНЬГИ НА КАРТУ"))  # case and ё
    assert not fact_found(fact, answer_lemmas("Вернём деньги наличными"))


def test_a_phrase_term_needs_its_words_in_a_row_in_any_inflection() -> None:
    fact = Fact("where", "в сортировочном центре", (("сортировочный центр",),))
    assert fact_found(fact, answer_lemmas("Посылка в сортировочных центрах."))
    assert not fact_found(fact, answer_lemmas("Центр выдачи, сортировочный пункт."))


def test_numbers_match_in_digits_or_in_words() -> None:
    fact = Fact("window", "14 дней", (("14",), ("день",)))
    assert fact_found(fact, answer_lemmas("в течение четырнадцати дней"))
    assert fact_found(fact, answer_lemmas("в течение 14 дней"))
    assert not fact_found(fact, answer_lemmas("в течение 7 дней"))
    assert number_from_words("двадцати трёх") == 23
    assert number_from_words("двадцати кошек") is None


def test_an_ambiguous_word_matches_through_any_of_its_parses() -> None:
    # «стали» is сталь (noun) or стать (verb); either fact reading finds it.
    assert fact_found(Fact("a", "стать", (("стать",),)), answer_lemmas("Мы стали проверять"))
    assert fact_found(Fact("b", "сталь", (("сталь",),)), answer_lemmas("корпус из стали"))


def test_quoted_buyer_lines_do_not_state_facts() -> None:
    fact = Fact("refund", "деньги", (("деньги",),))
    assert not fact_found(fact, answer_lemmas("> Верните деньги!\nЗдравствуйте, проверим заказ."))


def test_missing_facts_cost_points_in_proportion(starter: Any) -> None:
    d = drill(starter, "delay-stuck-in-sorting-centre")
    answer = "Здравствуйте! Извините за задержку. Напишем вам до 18:00 МСК 25 ноября."
    score = score_answer(d, answer, QUICK, CTX)
    facts = score.criterion("facts")
    assert not facts.passed and facts.detail == "1/4" and facts.points == 25 * 1 // 4
    assert score.facts_found == ("apology",) and "where-now" in score.facts_missing
    assert not score.passed and score.total == 75 + facts.points


# -- deadlines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ответим до восемнадцати часов по московскому времени.",
        "Напишем завтра до 12:00 МСК.",
        "Деньги вернутся в течение трёх рабочих дней.",
        "Проверим в течение двадцати четырёх часов.",
        "Ответим к двенадцати часам тридцати минутам МСК.",
        "Посылка будет в пункте выдачи 26 ноября.",
        "Ответим до полудня по Москве.",
        "Вернём деньги через 2 часа.",
        "Ответим до 18 часов по Москве.",
        "Ответим завтра до шести вечера.",
        "Перезвоним к девяти часам утра.",
        "Ответим завтра до двадцати трёх часов.",
    ],
)
def test_concrete_deadlines_in_digits_or_words(text: str) -> None:
    assert concrete_deadlines(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Ответим в ближайшее время.",
        "Ответим сегодня.",
        "Напишем завтра.",
        "Разберёмся до конца дня.",
        "Решим до пятницы.",
        "Ответим в течение дня.",
        "Ответим как можно скорее.",
        "> Обещали до 18:00 МСК!\nЗдравствуйте, ответим скоро.",
        "Вырос в два раза.",
        "Ответим до вечера.",
        "Ответим к трём котам.",
    ],
)
def test_vague_times_are_not_deadlines(text: str) -> None:
    assert concrete_deadlines(text) == []


def test_an_answer_without_a_deadline_loses_that_criterion(starter: Any) -> None:
    answer = GOOD["counterfeit-headphones"].replace(
        " и ответим завтра до восемнадцати часов по московскому времени", ""
    )
    score = score_answer(drill(starter, "counterfeit-headphones"), answer, QUICK, CTX)
    assert not score.criterion("deadline").passed and score.total == 75 and not score.passed


# -- lint, time, empties ------------------------------------------------------------------


def test_an_error_level_lint_finding_keeps_the_score_below_100(starter: Any) -> None:
    answer = GOOD["return-size-did-not-fit"] + " Напишите нам в WhatsApp."
    score = score_answer(drill(starter, "return-size-did-not-fit"), answer, QUICK, CTX)
    lint_result = score.criterion("lint")
    assert not lint_result.passed and lint_result.points == 0 and score.total == 75
    assert score.lint_errors and not score.passed


def test_a_warning_alone_does_not_fail_lint(starter: Any) -> None:
    answer = GOOD["return-size-did-not-fit"] + " Возможно, размер 50 подойдёт лучше."
    score = score_answer(drill(starter, "return-size-did-not-fit"), answer, QUICK, CTX)
    assert score.criterion("lint").passed


def test_overtime_fails_even_a_perfect_answer(starter: Any) -> None:
    d = drill(starter, "return-size-did-not-fit")
    exactly = score_answer(d, GOOD[d.id], d.time_limit, CTX)
    late = score_answer(d, GOOD[d.id], d.time_limit + timedelta(seconds=1), CTX)
    assert exactly.passed
    assert not late.criterion("time").passed and late.total == 75 and not late.passed
    assert late.criterion("time").detail == "10:01 / 10:00"


def test_an_empty_answer_scores_nothing(starter: Any) -> None:
    score = score_answer(drill(starter, "return-cracked-kettle"), "   ", QUICK, CTX)
    assert score.total == 25  # only the time criterion
    assert not score.criterion("lint").passed and score.criterion("lint").detail == "empty answer"


def test_score_survives_a_json_round_trip(starter: Any) -> None:
    score = score_answer(drill(starter, "counterfeit-headphones"), "Проверим.", QUICK, CTX)
    again = Score.from_dict(json.loads(json.dumps(score.to_dict())))
    assert again == score and again.total == score.total


# -- the file format ----------------------------------------------------------------------


def test_export_then_import_yields_the_same_set(starter: Any, tmp_path: Path) -> None:
    path = tmp_path / "set.json"
    save_set(starter, path)
    assert load_set(path) == starter
    assert loads_set(dumps_set(starter)) == starter


def _raw(starter: Any) -> dict[str, Any]:
    return copy.deepcopy(set_to_dict(starter))


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (lambda d: d.pop("title"), "title:"),
        (lambda d: d.update(id="Bad Id"), "id:"),
        (lambda d: d.update(schema_version="1"), "schema_version:"),
        (lambda d: d.update(drills=[]), "drills:"),
        (lambda d: d.update(colour="red"), "colour: unknown key"),
        (lambda d: d["drills"][1].update(family="shipping"), "drills[1].family:"),
        (lambda d: d["drills"][2].update(time_limit_minutes=0), "drills[2].time_limit_minutes:"),
        (lambda d: d["drills"][0]["context"].update(scheme="DBS"), "drills[0].context.scheme:"),
        (lambda d: d["drills"][0]["context"]["logistics"][0].update(date="12.11.2026"),
         "drills[0].context.logistics[0].date:"),
        (lambda d: d["drills"][3]["facts"][1].update(terms=[[]]), "drills[3].facts[1].terms[0]:"),
        (lambda d: d["drills"][3]["facts"][1].update(terms="деньги"), "drills[3].facts[1].terms:"),
        (lambda d: d["drills"][4].update(id=d["drills"][0]["id"]), "drills[4].id: duplicate"),
        (lambda d: d["drills"][0]["facts"].append(d["drills"][0]["facts"][0]),
         "drills[0].facts[4].id: duplicate"),
    ],
)
def test_malformed_sets_name_the_place_to_fix(starter: Any, mutate: Any, where: str) -> None:
    data = _raw(starter)
    mutate(data)
    with pytest.raises(DrillSetError) as err:
        parse_set(data, "set.json")
    assert any(p.startswith(where) for p in err.value.problems), err.value.problems
    assert "\n" not in str(err.value) and str(err.value).startswith("set.json: invalid drill set")


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(DrillSetError, match="file not found"):
        load_set(missing)
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": ', encoding="utf-8")
    with pytest.raises(DrillSetError, match=r"not JSON \(line 1"):
        load_set(broken)
    latin = tmp_path / "latin.json"
    latin.write_bytes("{\"title\": \"Возврат\"}".encode("cp1251"))
    with pytest.raises(DrillSetError, match="not UTF-8"):
        load_set(latin)
    with pytest.raises(DrillSetError, match="top level"):
        parse_set([1, 2])


def test_a_newer_schema_says_to_update(starter: Any) -> None:
    data = _raw(starter)
    data["schema_version"] = 99
    with pytest.raises(DrillSetError, match="update OzonDesk"):
        parse_set(data)


_WORDS = ("вернём", "деньги", "до", "18:00", "МСК", "25", "ноября", "фото", "серийного", "номера",
          "проверим", "партию", "декларация", "Здравствуйте", "в", "течение", "трёх", "дней", "WhatsApp",
          "скоро", ".", ",", "\n", "> Верните", "сертификат", "коробки")  # fmt: skip


@given(
    words=st.lists(st.sampled_from(_WORDS), max_size=25),
    seconds=st.integers(min_value=0, max_value=3600),
)
def test_any_answer_scores_0_to_100_and_passes_only_at_100(words: list[str], seconds: int) -> None:
    d = load_starter_set().get("counterfeit-headphones")
    assert d is not None
    score = score_answer(d, " ".join(words), timedelta(seconds=seconds), CTX)
    assert 0 <= score.total <= 100
    assert score.passed == (score.total == 100) == all(c.passed for c in score.criteria)
    assert set(score.facts_found) | set(score.facts_missing) == {f.id for f in d.facts}


_slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
_texts = st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1,
                 max_size=40).filter(str.strip)  # fmt: skip
_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
_contexts = st.builds(
    MockContext, order_number=_texts, posting_number=_texts, scheme=st.sampled_from(("FBO", "FBS", "rFBS")),
    status=_texts, buyer_name=st.one_of(st.just(""), _texts), ordered_at=st.one_of(st.none(), _days),
    items=st.lists(st.builds(MockItem, _texts, st.integers(1, 10_000), st.integers(0, 10_000_000)),
                   max_size=3).map(tuple),
    logistics=st.lists(st.builds(LogisticsEvent, _days, _texts), max_size=3).map(tuple),
    notes_zh=st.one_of(st.just(""), _texts),
)  # fmt: skip
_terms = st.lists(st.lists(st.sampled_from(("вернуть", "деньги", "14", "сортировочный центр", "фото")),
                           min_size=1, max_size=3).map(tuple), min_size=1, max_size=3).map(tuple)  # fmt: skip


@st.composite
def drill_sets(draw: Any) -> DrillSet:
    drill_ids = draw(st.lists(_slugs, min_size=1, max_size=3, unique=True))
    drills = []
    for drill_id in drill_ids:
        fact_ids = draw(st.lists(_slugs, min_size=1, max_size=3, unique=True))
        facts = tuple(Fact(f, draw(_texts), draw(_terms), draw(st.one_of(st.just(""), _texts))) for f in fact_ids)
        drills.append(Drill(drill_id, draw(_texts), draw(st.sampled_from(FAMILIES)), draw(st.integers(1, 240)),
                            draw(_texts), draw(_texts), draw(_contexts), facts))  # fmt: skip
    return DrillSet(draw(_slugs), draw(_texts), tuple(drills), draw(_texts), "ru",
                    draw(st.one_of(st.just(""), _texts)))  # fmt: skip


@settings(max_examples=50)  # each example is a whole file; 50 cover the shapes
@given(drill_sets())
def test_any_valid_set_round_trips_through_its_file(drill_set: DrillSet) -> None:
    assert loads_set(dumps_set(drill_set)) == drill_set
