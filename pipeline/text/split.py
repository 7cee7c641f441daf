"""Split a file that collects several reports (合集) into one span per report.

A split happens only on a run of part markers at line starts numbered 1, 2, 3 … in
order (【篇1】, 篇二：, 报告3, 调研报告一, 范文二, 第三篇), of one marker style, with every
part at least ``min_part_chars`` long.  Otherwise the whole text is one report.

The preamble before the first marker (usually the 合集 title or a list of contents) is
dropped when shorter than ``min_preamble_chars``; a longer one is kept as its own first
part.  Spans never overlap; apart from a dropped preamble they cover the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text.vocab import CN_NUM, cn_to_int

# Part markers at a line start: 【篇1】 【范文二】 篇一： 篇2、 报告1 调研报告一 范文三 第一篇
# (not 报告一些 / 报告1年: the numeral must not start a word).
RE_PART_MARKER = re.compile(
    r"^[ \t\u3000]*(?:"
    rf"【\s*(?P<bkind>篇|范文|报告|调研报告)?\s*(?P<bnum>[0-9{CN_NUM}]{{1,3}})\s*】"
    rf"|(?P<kind>篇|范文|调研报告|报告)\s*(?P<num>[0-9{CN_NUM}]{{1,3}})"
    rf"(?![0-9{CN_NUM}年月日%些下是个次定项条名位期])"
    rf"|第\s*(?P<onum>[0-9{CN_NUM}]{{1,3}})\s*篇)",
    re.M,
)


@dataclass(frozen=True)
class SplitOptions:
    """Tunables of ``split_reports``."""

    min_parts: int = 2  # markers needed in sequence before splitting
    min_part_chars: int = 300  # every part must be at least this long
    min_preamble_chars: int = 200  # a shorter text before the first marker is dropped


def _markers(text: str) -> list[tuple[int, str, int]]:
    """(line start, marker style, number) for every part marker."""
    found = []
    for match in RE_PART_MARKER.finditer(text):
        if match.group("bnum"):
            style, numeral = "【" + (match.group("bkind") or ""), match.group("bnum")
        elif match.group("num"):
            style, numeral = match.group("kind"), match.group("num")
        else:
            style, numeral = "第篇", match.group("onum")
        value = cn_to_int(numeral)
        if value is not None:
            found.append((match.start(), style, value))
    return found


def _runs(markers: list[tuple[int, str, int]]) -> list[list[int]]:
    """Runs of one style numbered 1, 2, 3 … in text order, as lists of start offsets."""
    runs: list[list[int]] = []
    open_runs: dict[str, list[int]] = {}
    expected: dict[str, int] = {}
    for start, style, value in markers:
        if value == 1:
            open_runs[style] = [start]
            runs.append(open_runs[style])
            expected[style] = 2
        elif style in open_runs and value == expected[style]:
            open_runs[style].append(start)
            expected[style] += 1
    return runs


def _spans_of_run(text: str, run: list[int], options: SplitOptions) -> list[tuple[int, int]] | None:
    """Spans of one run's parts (with the preamble rule), or None if a part is too short."""
    ends = [*run[1:], len(text)]
    spans = list(zip(run, ends, strict=True))
    if any(len(text[s:e].strip()) < options.min_part_chars for s, e in spans):
        return None
    if len(text[: run[0]].strip()) >= options.min_preamble_chars:
        spans.insert(0, (0, run[0]))
    return spans


def split_reports(text: str, *, options: SplitOptions = SplitOptions()) -> list[tuple[int, int]]:
    """Spans of the separate reports in ``text``; [(0, len(text))] when it holds one."""
    whole = [(0, len(text))]
    candidates = [run for run in _runs(_markers(text)) if len(run) >= options.min_parts]
    # later runs win: a contents list at the top (篇一 … 篇三) repeats the real markers
    for run in reversed(candidates):
        spans = _spans_of_run(text, run, options)
        if spans:
            return spans
    return whole
