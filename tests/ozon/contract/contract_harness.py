"""The contract harness: official request/response examples against the client and parsers.

``examples/`` holds the Seller API's own examples, named ``<method path with / as _>`` plus
``.req.json`` (request) or ``.resp200.json`` (an HTTP 200 answer). Every ``contract_hooks_*.py``
module beside this file contributes ``RESPONSES`` and ``REQUESTS`` dicts keyed by that name:
adding a method means adding its two files and one hooks module (or entries in one), nothing
here. An example file without a hook fails the suite, so no example is silently unchecked.

- ``ResponseHook.parse`` reads the whole example as the client would (the page parser);
  ``fields`` are the paths the desk reads (``a.b``, ``[]`` for each element of a list). Each
  must be present in the example, and deleting it must change what the parser returns (or make
  it refuse the record) — or, where the example's value equals the parser's default (a
  ``has_next`` of false), changing it must: a field the desk relies on going missing from
  Ozon's examples, or a parser that quietly stopped reading it, fails a test. A field given as
  ``(path, value)`` is changed to ``value`` instead of the generic change.
- ``RequestHook.call`` makes the client call the method (answered with the method's own
  response example); the body sent must use the request example's JSON types for every field
  it shares with it, and send no field the example lacks unless named in ``extra``.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
EXAMPLES = HERE / "examples"


@dataclass(frozen=True)
class ResponseHook:
    parse: Callable[[dict[str, Any]], Any]
    fields: tuple[str | tuple[str, Any], ...]

    def paths(self) -> list[tuple[str, Any]]:
        """(path, replacement or CHANGE) of every field."""
        return [f if isinstance(f, tuple) else (f, CHANGE) for f in self.fields]


CHANGE = object()  # the generic change of a value, see ``changed``


@dataclass(frozen=True)
class RequestHook:
    call: Callable[[Any], Any]  # given an OzonClient
    # Fields the desk sends that the official example happens not to show (with why, at the hook).
    extra: tuple[str, ...] = field(default=())


def load_hooks() -> tuple[dict[str, ResponseHook], dict[str, RequestHook]]:
    responses: dict[str, ResponseHook] = {}
    requests: dict[str, RequestHook] = {}
    for path in sorted(HERE.glob("contract_hooks_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name, hook in getattr(module, "RESPONSES", {}).items():
            assert name not in responses, f"{name}: response hook defined twice"
            responses[name] = hook
        for name, hook in getattr(module, "REQUESTS", {}).items():
            assert name not in requests, f"{name}: request hook defined twice"
            requests[name] = hook
    return responses, requests


def examples(suffix: str) -> list[str]:
    """Method names (``v3_chat_list``) that have an example with this suffix."""
    return sorted(p.name[: -len(suffix)] for p in EXAMPLES.glob(f"*{suffix}"))


def load(name: str, suffix: str) -> Any:
    return json.loads((EXAMPLES / f"{name}{suffix}").read_text(encoding="utf-8"))


def method_path(name: str) -> str:
    """``v3_chat_list`` -> ``/v3/chat/list``; ``v2_conditional-cancellation_list`` keeps its dash."""
    return "/" + name.replace("_", "/")


def _walk(node: Any, parts: list[str]) -> Iterator[tuple[Any, str]]:
    """(parent, key) of every place ``parts`` reaches; ``x[]`` steps into each element."""
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    many = head.endswith("[]")
    key = head[:-2] if many else head
    if not isinstance(node, dict) or key not in node:
        return
    if not rest:
        yield node, key
        return
    child = node[key]
    for item in child if many and isinstance(child, list) else [child]:
        yield from _walk(item, rest)


def present(example: Any, path: str) -> bool:
    return any(parent[key] is not None for parent, key in _walk(example, path.split(".")))


def without(example: Any, path: str) -> Any:
    copied = copy.deepcopy(example)
    for parent, key in list(_walk(copied, path.split("."))):
        del parent[key]
    return copied


def changed(value: Any) -> Any:
    """Another value of the same JSON type, one a parser reading the field must notice."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if isinstance(value, list):
        return []
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "false"):
            return "false" if low == "true" else "true"
        if low.isdigit():
            return str(int(low) + 1)
        if value[:4].isdigit() and value[4:5] == "-":  # a date-time: a year earlier
            return str(int(value[:4]) - 1) + value[4:]
        if len(value) == 3 and value.isupper():  # a currency code
            return "USD" if value != "USD" else "EUR"
        return "X" + value
    return None


def with_value(example: Any, path: str, value: Any) -> Any:
    copied = copy.deepcopy(example)
    for parent, key in list(_walk(copied, path.split("."))):
        parent[key] = changed(parent[key]) if value is CHANGE else value
    return copied


def record_errors(result: Any) -> list[Any]:
    """Records a page parser set aside (``.errors`` of a page, or a ``(good, bad)`` pair)."""
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], list):
        return result[1]
    errors = getattr(result, "errors", None)
    return list(errors) if isinstance(errors, list) else []


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}[type(value)]


def type_mismatches(sent: Any, example: Any, where: str = "") -> list[str]:
    """Fields of ``sent`` whose JSON type differs from the example's, and fields it lacks."""
    out: list[str] = []
    if isinstance(sent, dict) and isinstance(example, dict):
        for key, value in sent.items():
            path = f"{where}.{key}" if where else key
            if key not in example:
                out.append(f"{path}: not in the official example")
            else:
                out.extend(type_mismatches(value, example[key], path))
        return out
    if isinstance(sent, list) and isinstance(example, list):
        for item in sent[:1]:
            if example:
                out.extend(type_mismatches(item, example[0], where + "[]"))
        return out
    if json_type(sent) != json_type(example):
        out.append(f"{where}: sent {json_type(sent)}, the example has {json_type(example)}")
    return out
