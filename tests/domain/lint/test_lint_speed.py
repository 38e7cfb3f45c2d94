"""Live linting budget: a warm linter handles a 1,000-character reply in under 5 ms."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from ozondesk.domain.lint import default_linter

BUDGET_S = 0.005


def test_thousand_char_reply_within_budget() -> None:
    rows = [
        json.loads(line)["text"]
        for line in Path(__file__).with_name("corpus_ru.jsonl").read_text("utf-8").splitlines()
    ]
    text = " ".join(rows)[:1000]
    linter = default_linter()
    linter.lint(text)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        linter.lint(text)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    assert median < BUDGET_S, f"median {median * 1000:.2f} ms per 1,000-char reply"
