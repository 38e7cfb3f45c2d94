"""Intent rules: a word counts only when the sentence around it shows the intent.

«скидка» in «Скидку в корзине предоставляет Ozon» explains Ozon's price; in
«Дадим вам скидку на следующий заказ» it is our offer. An intent rule has
*triggers* (the words) and *markers* (what makes it an offer: an imperative such as
«воспользуйтесь», our future action «дадим», «следующий заказ», another
marketplace next to «наш»); a trigger is reported only when a marker stands in
the same sentence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ozondesk.domain.lint.patterns import PhraseTrie, leftmost_longest
from ozondesk.domain.lint.text import Token


@dataclass(frozen=True)
class IntentMatcher:
    """The compiled halves of one intent rule."""

    triggers: PhraseTrie
    markers: PhraseTrie
    trigger_regexes: tuple[object, ...] = ()
    marker_regexes: tuple[object, ...] = ()

    def spans(
        self,
        tokens: list[Token],
        starts: set[int],
        norm: str,
        sentence_of: Callable[[int], int],
        search: Callable[[object, str], Iterable[object]],
        norms: list[str] | None = None,
        vocab: set[str] | None = None,
        positions: Callable[[], Mapping[str, list[int]]] | None = None,
    ) -> list[tuple[int, int]]:
        """Character spans of the triggers that share a sentence with a marker."""
        hits: list[tuple[int, int]] = []
        for m in leftmost_longest(self.triggers.find(tokens, starts, norms, vocab, positions)):
            if m.payload is not None:
                hits.append((tokens[m.first].start, tokens[m.last - 1].end))
        for rx in self.trigger_regexes:
            hits.extend(match.span() for match in search(rx, norm))  # type: ignore[attr-defined]
        if not hits:
            return []
        marked = {
            tokens[m.first].sentence
            for m in self.markers.find(tokens, starts, norms, vocab, positions)
            if m.payload is not None
        }
        for rx in self.marker_regexes:
            marked.update(sentence_of(match.start()) for match in search(rx, norm))  # type: ignore[attr-defined]
        return [(s, e) for s, e in hits if sentence_of(s) in marked]
