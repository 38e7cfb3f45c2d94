"""Template packs: documented JSON, all-or-nothing import with every problem located, round trip."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ozondesk.domain.packs import (
    SCHEMA_VERSION,
    Pack,
    PackError,
    dumps_pack,
    load_pack,
    load_starter_pack,
    loads_pack,
    parse_pack,
    save_pack,
)
from ozondesk.domain.templates import Template
from ozondesk.errors import UserError


def minimal() -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": "team-pack",
        "title": "Командный набор",
        "templates": [
            {
                "id": "hello",
                "title": "Привет",
                "category": "greeting-closing",
                "body": "Здравствуйте, {buyer_name}!",
            },
            {
                "id": "eta",
                "title": "Срок",
                "category": "order-status",
                "body": "Заказ придёт {eta_date}.",
            },
        ],
    }


def test_minimal_pack_gets_defaults() -> None:
    pack = parse_pack(minimal())
    assert [t.id for t in pack.templates] == ["hello", "eta"]
    assert pack.templates[0].channel == "chat" and pack.templates[0].language == "ru"
    assert pack.version == "1.0.0"


def test_round_trip(tmp_path: Path) -> None:
    pack = load_starter_pack()
    path = tmp_path / "out.json"
    save_pack(pack, path)
    assert load_pack(path) == pack
    assert json.loads(path.read_text("utf-8"))["schema_version"] == SCHEMA_VERSION
    assert loads_pack(dumps_pack(pack)) == pack


def test_export_of_a_built_pack() -> None:
    pack = Pack(
        id="p", title="P", templates=(Template(id="a", title="A", category="other", body="Текст."),)
    )
    data = json.loads(dumps_pack(pack))
    assert data["templates"] == [
        {
            "id": "a",
            "title": "A",
            "category": "other",
            "channel": "chat",
            "language": "ru",
            "tags": [],
            "gloss_zh": "",
            "body": "Текст.",
        }
    ]


def test_every_problem_is_reported_with_its_location() -> None:
    doc = minimal()
    doc["colour"] = "red"
    doc["templates"] += [
        {
            "id": "bad",
            "title": "x",
            "category": "returns",
            "body": "Вернём {foo} до {deadline_msk}.",
        },
        {"id": "hello", "title": "dup id", "category": "returns", "body": "Другой текст."},
        {
            "id": "same-body",
            "title": "dup body",
            "category": "returns",
            "body": "  Здравствуйте,   {buyer_name}! ",
        },
        {
            "id": "Bad Slug",
            "title": "",
            "category": "refunds",
            "channel": "fax",
            "body": "ok",
            "tags": "x",
            "extra": 1,
        },
        {"title": "no id"},
        "not an object",
    ]
    with pytest.raises(PackError) as info:
        parse_pack(doc, "team.json")
    problems = info.value.problems
    for expected in [
        "colour: unknown key",
        "templates[2].body: unknown placeholder {foo}",
        "templates[3].id: duplicate id 'hello' (also templates[0])",
        "templates[4].body: same body as templates[0]",
        "templates[5].id: must be a slug",
        "templates[5].title: required",
        "templates[5].category: 'refunds' is not one of",
        "templates[5].channel: 'fax' is not one of",
        "templates[5].tags: must be a list",
        "templates[5].extra: unknown key",
        "templates[6].id: required",
        "templates[6].category: required",
        "templates[6].body: required",
        "templates[7]: must be an object",
    ]:
        assert any(p.startswith(expected) for p in problems), (expected, problems)
    assert isinstance(info.value, UserError)
    assert str(info.value).startswith("team.json: cannot import template pack (")


def test_newer_schema_is_refused_clearly() -> None:
    doc = minimal()
    doc["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(PackError, match="newer than this OzonDesk reads"):
        parse_pack(doc)


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ([], "top level"),
        ({"schema_version": "1"}, "schema_version"),
        ({**minimal(), "templates": []}, "templates: required"),
    ],
)
def test_bad_top_level(doc: Any, fragment: str) -> None:
    with pytest.raises(PackError) as info:
        parse_pack(copy.deepcopy(doc))
    assert any(fragment in p for p in info.value.problems)


@pytest.mark.parametrize(
    ("content", "fragment"), [(b"{", "not JSON"), (b"\xff\xfe\x00", "not UTF-8")]
)
def test_unreadable_files(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(content)
    with pytest.raises(PackError, match=fragment):
        load_pack(path)
    with pytest.raises(PackError, match="file not found"):
        load_pack(tmp_path / "missing.json")
