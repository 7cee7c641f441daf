"""Sentence spans of cleaned Chinese text."""

from __future__ import annotations

import re

from pipeline.text.vocab import CLOSING_QUOTES, SENTENCE_END

# A sentence ends at 。！？； (or their ASCII forms) plus any closing quotes/brackets,
# or at a line end: "……留不住人。”同时" splits after the closing quote.
RE_SENTENCE = re.compile(rf"[^{SENTENCE_END}\n]*(?:[{SENTENCE_END}]+[{CLOSING_QUOTES}]*|\n|$)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence, whitespace at the edges trimmed."""
    spans = []
    for match in RE_SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
