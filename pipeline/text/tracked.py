"""Text that remembers where each character came from.

Cleaning deletes and rewrites parts of a report; units later point into the
cleaned text, and a researcher wants to find a quote in the original file. A
:class:`Tracked` carries the text together with ``offsets`` (raw index of each
character, plus one entry for the end) through every edit.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Edit = tuple[int, int, str]  # replace text[start:end] with the string


@dataclass(frozen=True)
class Tracked:
    """A text and, for each character, its index in the raw text (``len(text)+1`` entries).

    ``offsets`` is an ``array('q')`` rather than a tuple: 8 bytes a character instead of
    ~36, which keeps a 16 MB report within a few hundred MB while it is cleaned.
    """

    text: str
    offsets: array

    @classmethod
    def from_raw(cls, raw: str) -> Tracked:
        """Start tracking a raw text: every character maps to itself."""
        return cls(raw, array("q", range(len(raw) + 1)))

    def edit(self, edits: Iterable[Edit]) -> Tracked:
        """Apply non-overlapping edits; new characters map to the start of what they replace."""
        pieces: list[str] = []
        new_offsets = array("q")
        cursor = 0
        for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
            if start < cursor:
                continue  # overlapping edit: the earlier one wins
            pieces.append(self.text[cursor:start])
            new_offsets.extend(self.offsets[cursor:start])
            pieces.append(replacement)
            new_offsets.extend(array("q", [self.offsets[start]]) * len(replacement))
            cursor = end
        pieces.append(self.text[cursor:])
        new_offsets.extend(self.offsets[cursor:])
        return Tracked("".join(pieces), new_offsets)

    def sub(self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> Tracked:
        """Like ``pattern.sub`` but keeps offsets; unchanged text keeps its exact mapping."""
        edits: list[Edit] = []
        for match in pattern.finditer(self.text):
            new = repl(match) if callable(repl) else match.expand(repl)
            if new != match.group(0):
                edits.append((match.start(), match.end(), new))
        return self.edit(edits) if edits else self

    def map_chars(self, convert: Callable[[str], str]) -> Tracked:
        """Apply a length-preserving conversion (e.g. t2s); per line if lengths differ."""
        converted = convert(self.text)
        if len(converted) == len(self.text):
            return Tracked(converted, self.offsets)
        edits: list[Edit] = []
        pos = 0
        for line in self.text.splitlines(keepends=True):
            new_line = convert(line)
            if new_line != line:
                edits.append((pos, pos + len(line), new_line))
            pos += len(line)
        return self.edit(edits)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw-text span that the cleaned span ``[start, end)`` came from."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1
