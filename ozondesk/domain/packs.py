"""Template packs: JSON files of templates a team shares (schema in docs/template-pack-schema.md).

Import is all-or-nothing: every problem is collected with its place
(``templates[3].body: unknown placeholder {foo}``) and raised together as one
:class:`PackError`, so a lead fixes a file in one pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ozondesk.domain.json_files import JsonFileError, parse_json, read_text, write_atomically
from ozondesk.domain.templates import LANGUAGES, Template, channel_for, field_problems, language_for
from ozondesk.i18n import _
from ozondesk.resources import resource_path

SCHEMA_VERSION = 1
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PACK_KEYS = ("schema_version", "id", "title", "version", "language", "description", "templates")
_TEMPLATE_KEYS = ("id", "title", "category", "channel", "language", "tags", "gloss_zh", "body")
_REQUIRED_TEMPLATE_KEYS = ("id", "title", "category", "body")
_SPACES = re.compile(r"\s+")


def starter_pack_path() -> Path:
    return resource_path("templates", "starter-ru.json")


def escalation_pack_path() -> Path:
    """The English escalation e-mails to Ozon's China seller support (issue 14)."""
    return resource_path("templates", "escalation-en.json")


class PackError(JsonFileError):
    """A template pack that cannot be imported; ``problems`` lists every issue with its place."""

    @staticmethod
    def summary(n: int, problems: str) -> str:
        return _("cannot import template pack ({n} problems): {problems}").format(n=n, problems=problems)


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    templates: tuple[Template, ...]
    version: str = "1.0.0"
    language: str = "ru"
    description: str = ""

    def get(self, template_id: str) -> Template | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "language": self.language,
        }
        if self.description:
            out["description"] = self.description
        out["templates"] = [
            {key: t.to_dict()[key] for key in _TEMPLATE_KEYS} for t in self.templates
        ]
        return out


def parse_pack(data: Any, source: str = "") -> Pack:
    """Validate a decoded JSON document and build a :class:`Pack`, or raise :class:`PackError`."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise PackError([_("the top level must be a JSON object")], source)
    for key in sorted(set(data) - set(_PACK_KEYS)):
        problems.append(_("{key}: unknown key").format(key=key))

    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        problems.append(
            _("schema_version: required, the whole number {n}").format(n=SCHEMA_VERSION)
        )
    elif version > SCHEMA_VERSION:
        raise PackError(
            [
                _(
                    "schema_version: {v} is newer than this OzonDesk reads ({n}); update OzonDesk"
                ).format(v=version, n=SCHEMA_VERSION)
            ],
            source,
        )
    elif version < 1:
        problems.append(_("schema_version: must be {n}").format(n=SCHEMA_VERSION))

    pack_id = data.get("id")
    if not isinstance(pack_id, str) or not _ID_RE.match(pack_id):
        problems.append(_('id: required, a slug such as "starter-ru"'))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(_("title: required, a non-empty text"))
    pack_version = data.get("version", "1.0.0")
    if not isinstance(pack_version, str) or not pack_version.strip():
        problems.append(_('version: must be a non-empty text such as "1.0.0"'))
    language = data.get("language", "ru")
    if language not in LANGUAGES:
        problems.append(_('language: use "ru" or "en"'))
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.append(_("description: must be a text"))

    templates: list[Template] = []
    raw_templates = data.get("templates")
    if not isinstance(raw_templates, list) or not raw_templates:
        problems.append(_("templates: required, a non-empty list of templates"))
        raw_templates = []
    ids: dict[str, int] = {}
    bodies: dict[str, int] = {}
    for i, raw in enumerate(raw_templates):
        where = f"templates[{i}]"
        if not isinstance(raw, Mapping):
            problems.append(_("{where}: must be an object").format(where=where))
            continue
        before = len(problems)
        for key in sorted(set(raw) - set(_TEMPLATE_KEYS)):
            problems.append(f"{where}.{key}: " + _("unknown key"))
        for key in _REQUIRED_TEMPLATE_KEYS:
            if key not in raw:
                problems.append(f"{where}.{key}: " + _("required"))
        category = raw.get("category")
        # An escalation template defaults to English by e-mail, the rest to a Russian chat reply.
        known = category if isinstance(category, str) else ""
        fields = {
            "channel": channel_for(known),
            "language": language_for(known),
            "tags": [],
            "gloss_zh": "",
            **{k: v for k, v in raw.items() if k in _TEMPLATE_KEYS},
        }
        problems.extend(
            f"{where}.{key}: {text}"
            for key, text in field_problems(fields)
            if key in raw or key not in _REQUIRED_TEMPLATE_KEYS
        )
        tid = raw.get("id")
        if isinstance(tid, str):
            if tid in ids:
                problems.append(
                    f"{where}.id: "
                    + _("duplicate id {id!r} (also templates[{other}])").format(
                        id=tid, other=ids[tid]
                    )
                )
            else:
                ids[tid] = i
        body = raw.get("body")
        if isinstance(body, str) and body.strip():
            key = _SPACES.sub(" ", body.strip()).casefold()
            if key in bodies:
                problems.append(
                    f"{where}.body: "
                    + _("same body as templates[{other}]").format(other=bodies[key])
                )
            else:
                bodies[key] = i
        if len(problems) == before:
            templates.append(
                Template(
                    id=fields["id"],
                    title=fields["title"],
                    category=fields["category"],
                    body=fields["body"],
                    gloss_zh=fields["gloss_zh"],
                    tags=tuple(fields["tags"]),
                    channel=fields["channel"],
                    language=fields["language"],
                )
            )
    if problems:
        raise PackError(problems, source)
    return Pack(
        id=str(pack_id),
        title=str(title),
        templates=tuple(templates),
        version=str(pack_version),
        language=str(language),
        description=str(description),
    )


def loads_pack(text: str, source: str = "") -> Pack:
    return parse_pack(parse_json(text, source, PackError), source)


def load_pack(path: Path | str) -> Pack:
    """Read and validate a pack file; a missing, non-UTF-8 or invalid file raises PackError."""
    return loads_pack(*read_text(path, PackError))


def dumps_pack(pack: Pack) -> str:
    return json.dumps(pack.to_dict(), ensure_ascii=False, indent=2) + "\n"


def save_pack(pack: Pack, path: Path | str) -> None:
    """Write atomically, so a crash never leaves half a pack behind."""
    write_atomically(path, dumps_pack(pack))


def load_starter_pack() -> Pack:
    return load_pack(starter_pack_path())


def load_escalation_pack() -> Pack:
    return load_pack(escalation_pack_path())
