from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ozondesk.domain import compliance
from ozondesk.domain.compliance import ComplianceRulesError, flags, load_rules, parse_rules
from ozondesk.i18n import set_language


def needs(*names: str) -> dict[str, list[str]]:
    """Requirement id → categories that raised it, for the given product names."""
    return {f.requirement: sorted({m.category for m in f.matches}) for f in flags(names)}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Кроссовки мужские беговые, серые", {"honest-sign": ["shoes"]}),
        ("Платье летнее миди, бежевое", {"honest-sign": ["clothes"], "russian-label": ["clothes"]}),
        ("Беспроводные наушники TWS X12, чёрные", {"eac": ["electronics"]}),
        ("Смарт-часы S8 Pro, 45 мм", {"eac": ["electronics"]}),
        ("Зарядное устройство GaN 65 Вт", {"eac": ["electronics"]}),
        ("Парфюмерная вода женская, 50 мл", {"declaration": ["perfume"], "russian-label": ["perfume"],
                                           "honest-sign": ["perfume"]}),
        ("Туалетной водой", {"declaration": ["perfume"], "russian-label": ["perfume"], "honest-sign": ["perfume"]}),
        ("Витамин D3, БАД, 60 капсул", {"sgr": ["supplements"], "honest-sign": ["supplements"],
                                        "russian-label": ["supplements"]}),
        ("Тонометр автоматический на плечо", {"medical-registration": ["medical"]}),
        ("Радиоуправляемая машинка 1:16", {"certificate": ["toys"], "age-marking": ["toys"],
                                           "russian-label": ["toys"]}),
        ("Набор кухонных ножей, 5 предметов", {}),
        ("Рюкзак городской 25 л", {}),
    ],
)
def test_items_map_to_requirements(name: str, expected: dict[str, list[str]]) -> None:
    assert needs(name) == expected


def test_inflected_forms_match_the_lemma() -> None:
    # «для детей» is a form of ребёнок; «ботинок» is the genitive plural of ботинки.
    assert "certificate" in needs("Шапка для детей")
    assert needs("Пара ботинок") == {"honest-sign": ["shoes"]}


def test_homonyms_and_accessories_do_not_match() -> None:
    assert needs("Чехол для смарт-часов") == {}  # an accessory, not electronics
    assert needs("Часы настенные") == {}  # «часы» alone is not a smartwatch
    assert needs("Крем для обуви") == {}  # shoe polish is neither shoes nor cosmetics
    assert needs("Крем для рук") == {"declaration": ["cosmetics"], "russian-label": ["cosmetics"],
                                     "honest-sign": ["cosmetics"]}
    assert needs("Дух приключений, книга") == {}  # дух (spirit) is not духи (perfume)


def test_one_flag_per_requirement_with_every_reason() -> None:
    result = flags(["Детский крем", "Кроссовки детские"])
    by_id = {f.requirement: f for f in result}
    assert len(result) == len(by_id)
    label = by_id["russian-label"]
    assert {(m.category, m.item) for m in label.matches} == {
        ("cosmetics", "Детский крем"), ("children", "Детский крем"), ("children", "Кроссовки детские"),
    }
    assert by_id["honest-sign"].template == "compliance-marking"
    assert by_id["certificate"].template is None


def test_templates_named_by_rules_exist_in_the_starter_library() -> None:
    root = Path(__file__).resolve().parents[2]
    slugs = {t["id"] for t in json.loads((root / "resources/templates/starter-ru.json").read_text("utf-8"))["templates"]}
    rules = compliance.default_rules()
    named = {r.template for r in rules.requirements.values() if r.template}
    assert named == {"compliance-declaration", "compliance-marking", "compliance-russian-label"}
    assert named <= slugs


def test_explanations_exist_in_every_interface_language() -> None:
    for req in compliance.default_rules().requirements.values():
        assert {"en", "ru", "zh_CN"} <= set(req.title) and {"en", "ru", "zh_CN"} <= set(req.explain)
    flag = flags(["Кроссовки"])[0]
    try:
        set_language("zh_CN")
        assert compliance.pick(flag.title) == flag.title["zh_CN"]
    finally:
        set_language("en")
    assert compliance.pick(flag.title) == flag.title["en"]


def rules(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requirements": {"x": {"title": {"en": "X"}, "explain": {"en": "Why"}, "template": None}},
        "categories": [{"id": "c", "title": {"en": "C"}, "keywords": ["платье"], "requirements": ["x"]}],
    }
    data.update(over)
    return data


def test_keyword_syntax_prefix_and_exact_word() -> None:
    parsed = parse_rules(rules(categories=[
        {"id": "c", "title": {"en": "C"}, "keywords": ["парфюм*", "=edp", "туалетный вода"], "requirements": ["x"]},
    ]))
    assert [f.matches[0].keyword for f in flags(["Парфюмированный спрей"], parsed)] == ["парфюм*"]
    assert flags(["Aroma EDP 50 ml"], parsed)[0].matches[0].keyword == "=edp"
    assert flags(["edpx"], parsed) == ()
    assert flags(["вода туалетная"], parsed) == ()  # the words of a keyword come in its order


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "requirements"),
        (rules(categories=[{"id": "c", "title": {"en": "C"}, "keywords": ["кеды"], "requirements": ["x"]}]),
         "=кеды"),
        (rules(categories=[{"id": "c", "title": {"en": "C"}, "keywords": ["платье"], "requirements": ["y"]}]),
         "unknown requirements: y"),
        (rules(categories=[{"id": "c", "title": {"ru": "Ц"}, "keywords": ["платье"], "requirements": ["x"]}]),
         '"en"'),
        (rules(categories=[{"title": {"en": "C"}, "keywords": ["платье"], "requirements": ["x"]}]), "id"),
        (rules(categories=[{"id": "c", "title": {"en": "C"}, "keywords": "платье", "requirements": ["x"]}]),
         "list of words"),
    ],
)
def test_bad_rules_are_one_line_errors(data: Any, message: str) -> None:
    with pytest.raises(ComplianceRulesError, match=message) as err:
        parse_rules(data)
    assert "\n" not in str(err.value)


def test_unreadable_rule_files(tmp_path: Path) -> None:
    with pytest.raises(ComplianceRulesError, match="cannot read"):
        load_rules(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ComplianceRulesError, match="not valid JSON"):
        load_rules(broken)
