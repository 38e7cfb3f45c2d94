"""Precision and recall of the shipped rules on a labelled corpus of support replies.

The corpus (corpus_ru.jsonl) was written from the specification before the
linter; each line lists the categories a reviewer expects (error or warning
findings), empty for a clean reply. The summary is written to the terminal
whether or not pytest captures output.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from ozondesk.domain.lint import BLOCKING, lint

CORPUS = Path(__file__).with_name("corpus_ru.jsonl")
MIN_RECALL = 0.95
MAX_FALSE_FLAG_RATE = 0.05


def _rows() -> list[dict]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    return rows


def test_corpus_is_big_and_varied() -> None:
    rows = _rows()
    assert len(rows) >= 150
    assert len({r["text"] for r in rows}) == len(rows), "duplicate sentences"
    clean = [r for r in rows if not r["expect"]]
    assert len(clean) >= 50
    categories = Counter(c for r in rows for c in r["expect"])
    for needed in (
        "vague-promise", "vague-time", "hedge", "missing-deadline", "promotional",
        "off-platform", "over-familiar", "mt-artifact", "mixed-script", "over-apology", "negation",
    ):  # fmt: skip
        assert categories[needed] >= 4, needed


def test_precision_recall_and_false_flags(capsys: pytest.CaptureFixture[str]) -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    clean = flagged_clean = 0
    misses: list[str] = []
    for row in _rows():
        got = {f.category for f in lint(row["text"]) if f.severity in BLOCKING}
        expected = set(row["expect"])
        tp.update(got & expected)
        fp.update(got - expected)
        fn.update(expected - got)
        if not expected:
            clean += 1
            flagged_clean += bool(got)
        if got != expected:
            misses.append(f"  {row['text']!r}: expected {sorted(expected)}, got {sorted(got)}")

    lines = [f"{'category':<18} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}"]
    for cat in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[cat] / (tp[cat] + fp[cat]) if tp[cat] + fp[cat] else 1.0
        r = tp[cat] / (tp[cat] + fn[cat]) if tp[cat] + fn[cat] else 1.0
        lines.append(f"{cat:<18} {p:>9.3f} {r:>7.3f} {tp[cat]:>4} {fp[cat]:>4} {fn[cat]:>4}")
    t, f_p, f_n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    precision = t / (t + f_p)
    recall = t / (t + f_n)
    false_flag = flagged_clean / clean
    lines.append(
        f"{'overall':<18} {precision:>9.3f} {recall:>7.3f} {t:>4} {f_p:>4} {f_n:>4}"
        f"   false flags on clean: {flagged_clean}/{clean} = {false_flag:.1%}"
    )
    summary = "\n".join(["", "lint corpus:", *lines, *(["mismatches:", *misses] if misses else [])])
    with capsys.disabled():
        print(summary)
    assert recall >= MIN_RECALL, summary
    assert false_flag <= MAX_FALSE_FLAG_RATE, summary
