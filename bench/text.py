"""Words, titles and Markdown bodies with English's word frequencies.

The vocabulary is zxcvbn's list of English Wikipedia words, ranked by frequency (the app
depends on zxcvbn already); words are drawn with Zipf's law (the word of rank r about 1/r
as often as the commonest), so full-text search meets very common words, rare ones and
everything between, as it does on a real site.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from functools import cached_property

from zxcvbn.frequency_lists import FREQUENCY_LISTS

#: Words that are not prose (Wikipedia markup that made the list).
_NOT_PROSE = frozenset({"doc", "https", "http", "www", "com", "org", "html", "isbn", "ref"})

#: Ranks below this are function words ("the", "of"): titles and headings skip them.
_FUNCTION_WORDS = 60

#: About how long a body is, in characters of Markdown (issue 9: 2 KB bodies).
BODY_CHARS = 2000


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]

    @classmethod
    def english(cls) -> Vocabulary:
        ranked = FREQUENCY_LISTS["english_wikipedia"]
        return cls(tuple(w for w in ranked if w.isascii() and w.isalpha() and w not in _NOT_PROSE))

    @cached_property
    def _zipf(self) -> list[float]:
        return list(itertools.accumulate(1 / rank for rank in range(1, len(self.words) + 1)))

    @cached_property
    def _content_words(self) -> tuple[str, ...]:
        return self.words[_FUNCTION_WORDS:]  # once: a slice per title cost most of a seeding

    @cached_property
    def _zipf_content(self) -> list[float]:
        ranks = range(_FUNCTION_WORDS + 1, len(self.words) + 1)
        return list(itertools.accumulate(1 / rank for rank in ranks))

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self._zipf, k=k)

    def draw_content(self, rng: random.Random, k: int) -> list[str]:
        """Words for titles and headings: no "the" or "of"."""
        return rng.choices(self._content_words, cum_weights=self._zipf_content, k=k)

    def rank(self, word: str) -> int:
        return self.words.index(word) + 1


class Writer:
    """Titles, summaries and Markdown bodies from one seeded random generator."""

    def __init__(self, vocabulary: Vocabulary, rng: random.Random) -> None:
        self.vocabulary = vocabulary
        self.rng = rng

    def title(self) -> str:
        words = self.vocabulary.draw_content(self.rng, self.rng.randint(3, 8))
        return " ".join(words).capitalize()

    def sentence(self) -> str:
        words = self.vocabulary.draw(self.rng, self.rng.randint(6, 22))
        decorate = self.rng.random()
        if decorate < 0.08:
            i = self.rng.randrange(len(words))
            words[i] = f"*{words[i]}*"
        elif decorate < 0.12:
            i = self.rng.randrange(len(words))
            words[i] = f"**{words[i]}**"
        elif decorate < 0.15:
            i = self.rng.randrange(len(words))
            words[i] = f"`{words[i]}`"
        elif decorate < 0.19:
            i = self.rng.randrange(len(words))
            words[i] = f"[{words[i]}](https://example.com/{words[i]})"
        return " ".join(words).capitalize() + "."

    def summary(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(1, 2)))

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 5)))

    def bullet_list(self) -> str:
        items = (
            " ".join(self.vocabulary.draw(self.rng, self.rng.randint(2, 8)))
            for _ in range(self.rng.randint(3, 5))
        )
        return "\n".join(f"- {item}" for item in items)

    def heading(self) -> str:
        return "## " + " ".join(self.vocabulary.draw_content(self.rng, 3)).capitalize()

    def body(self) -> str:
        """About ``BODY_CHARS`` of Markdown: paragraphs, now and then a heading or a list."""
        blocks = [self.paragraph()]
        length = len(blocks[0])
        while length < BODY_CHARS:
            roll = self.rng.random()
            block = (
                self.heading()
                if roll < 0.15
                else self.bullet_list()
                if roll < 0.25
                else self.paragraph()
            )
            blocks.append(block)
            length += len(block) + 2
        return "\n\n".join(blocks)
