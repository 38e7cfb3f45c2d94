"""Linter speed: ms per 1,000-char reply, words/s next to bare pymorphy3, and 100,000-char inputs.

Run: ``python bench/bench_lint.py``. Both rates are measured in the same run on
the same text (replies from the labelled corpus joined into 1,000-character
chunks). "warm" means the linter is built and its per-word verb cache has seen
the vocabulary, which is the live-typing case; "cold cache" clears that cache
before every reply, so every candidate verb goes through pymorphy3 again.

Targets (issue 15): <= 2 ms per 1,000 characters warm, and any input up to 100,000
characters (realistic text or a pathological run such as «a.» × 50,000) in under 0.2 s.
Wall time depends on how busy the machine is, so CPU time of this process is printed
beside it; the verdicts use CPU time.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from pathlib import Path

from ozondesk.domain.lint import Linter, default_linter
from ozondesk.domain.lint.morph import analyzer, first_person_future

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "domain" / "lint" / "corpus_ru.jsonl"
REPLY_CHARS = 1000
BUDGET_MS = 2.0
BIG_BUDGET_S = 0.2
BIG = 100_000
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def replies(n: int, seed: int = 7) -> list[str]:
    sentences = [
        json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()
    ]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        rng.shuffle(sentences)
        text = ""
        for s in sentences:
            if len(text) + len(s) + 1 > REPLY_CHARS:
                break
            text += s + " "
        out.append(text.ljust(REPLY_CHARS, ".")[:REPLY_CHARS])
    return out


def bare_parse_rate(words: list[str], rounds: int) -> float:
    morph = analyzer()
    start = time.perf_counter()
    for _ in range(rounds):
        for w in words:
            morph.parse(w)
    return len(words) * rounds / (time.perf_counter() - start)


def main() -> None:
    t0 = time.perf_counter()
    linter: Linter = default_linter()
    build_s = time.perf_counter() - t0
    texts = replies(40)
    words = [w for t in texts for w in _WORD.findall(t)]
    words_per_reply = len(words) / len(texts)

    for t in texts:  # warm-up: lexeme trie built, verb cache filled
        linter.lint(t)
    per_reply = []
    per_reply_cpu = []
    for _ in range(5):
        for t in texts:
            start, cpu = time.perf_counter(), time.process_time()
            linter.lint(t)
            per_reply.append(time.perf_counter() - start)
            per_reply_cpu.append(time.process_time() - cpu)
    warm_ms = statistics.median(per_reply) * 1000
    p95_ms = sorted(per_reply)[int(len(per_reply) * 0.95)] * 1000
    # process_time ticks coarsely on some systems: the mean of many replies, not a median.
    warm_cpu_ms = statistics.fmean(per_reply_cpu) * 1000

    cold = []
    for t in texts:
        first_person_future.cache_clear()
        start = time.perf_counter()
        linter.lint(t)
        cold.append(time.perf_counter() - start)
    cold_ms = statistics.median(cold) * 1000

    parse_rate = bare_parse_rate(words, rounds=2)

    print(f"rules {linter.version}: built in {build_s * 1000:.0f} ms (lexeme expansion included)")
    print(f"{len(texts)} replies of {REPLY_CHARS} chars, {words_per_reply:.0f} words each")
    print(
        f"lint, warm:          {warm_ms:6.2f} ms per reply (p95 {p95_ms:.2f} ms)"
        f"  = {words_per_reply / (warm_ms / 1000):>9,.0f} words/s"
    )
    print(f"lint, warm, CPU:     {warm_cpu_ms:6.2f} ms per reply (mean of this process's CPU time)")
    print(
        f"lint, cold cache:    {cold_ms:6.2f} ms per reply"
        f"  = {words_per_reply / (cold_ms / 1000):>9,.0f} words/s"
    )
    print(
        f"pymorphy3 parse():   {1000 * words_per_reply / parse_rate:6.2f} ms per reply"
        f"  = {parse_rate:>9,.0f} words/s (bare, uncached, same words)"
    )
    verdict = "within" if warm_cpu_ms <= BUDGET_MS else "OVER"
    print(f"budget {BUDGET_MS:.0f} ms CPU per 1,000-char reply once warm: {verdict}")
    big_inputs(linter)


def big_inputs(linter: Linter) -> None:
    """Realistic and pathological texts of 100,000 characters: time must grow linearly."""
    corpus = " ".join(
        json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines()
    )
    cases = {
        "corpus replies": (corpus * (BIG // len(corpus) + 1))[:BIG],
        "«8» run": "8" * BIG,
        "«a.» run": "a." * (BIG // 2),
        "«@» run": "@" * BIG,
        "long URL": "https://example.com/" + "a" * (BIG - 20),
        "URL of dots": "http://" + "." * (BIG - 7),
        "«http://» ×": "http://" * (BIG // 7),
        "«a.ru.» ×": "a.ru." * (BIG // 5),
        "«8-» ×": "8-" * (BIG // 2),
        "«~» ×": "~" * BIG,
        "one word ×": "слово " * (BIG // 6),
        "«вернём, » ×": "вернём, " * (BIG // 8),
        "«до 18 часов» ×": "до 18 часов " * (BIG // 12),
        "emoji ×": "😊" * BIG,
    }
    worst = 0.0
    print(f"inputs of {BIG:,} characters (CPU s / wall s):")
    for name, text in cases.items():
        text = text[:BIG]
        linter.lint(text[:2000])  # the vocabulary of the case is warm, as when typing
        start, cpu = time.perf_counter(), time.process_time()
        linter.lint(text)
        cpu_s, wall_s = time.process_time() - cpu, time.perf_counter() - start
        worst = max(worst, cpu_s)
        print(f"  {name:<18} {cpu_s:6.3f} / {wall_s:6.3f}")
    verdict = "within" if worst <= BIG_BUDGET_S else "OVER"
    print(
        f"budget {BIG_BUDGET_S} s CPU for any {BIG:,}-char input: {verdict} (worst {worst:.3f} s)"
    )


if __name__ == "__main__":
    main()
