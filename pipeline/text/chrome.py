"""Which lines of a report are not its text: page furniture, site chrome, running headers.

Step 5 of :func:`pipeline.text.clean.clean`. Each stripped line is checked against the
tables in :mod:`pipeline.text.patterns` (page numbers such as "— 5 —", breadcrumbs,
"责任编辑：…", ICP lines, URL-only lines); short lines repeated on many pages are running
headers. Dropped lines and page breaks ("\\f") then shrink to the separator the document
uses, since a page break is no evidence of a paragraph break.

``CleanOptions`` (the ``[clean]`` section) lives here because most of what it tunes is
these line rules; :mod:`pipeline.text.clean` uses it too.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from pipeline.text import patterns as P
from pipeline.text.titles import RE_TITLE_CUE
from pipeline.text.tracked import Edit, Tracked

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanOptions:
    """Tunables of the cleaning rules (``[clean]`` in diaoyan.toml)."""

    # Chrome words (下载, 来源:, 编辑:) only drop a line this short: body text uses them too.
    chrome_max_len: int = 60
    # Unmistakable chrome (当前位置:, 本文标题:, ICP备, Copyright) drops lines up to this long.
    chrome_clear_max_len: int = 200
    # A short line seen on at least this many pages (or times, without page breaks) is a
    # running header/footer.
    header_min_repeats: int = 3
    header_max_len: int = 40
    # How many non-blank lines at each page edge are searched for headers and page numbers.
    page_edge_lines: int = 2
    # Lines this short keep spaces between Chinese characters ("雷 智  刘 林" author lines).
    cjk_space_min_line_len: int = 16
    # Traditional script: at least this share of Han characters (and this many) change
    # under t2s, measured on the first ``script_sample_chars`` characters.
    traditional_min_ratio: float = 0.03
    traditional_min_chars: int = 20
    script_sample_chars: int = 50_000
    # The ``removed`` sample for the log: this many lines, each cut to this length.
    removed_sample_size: int = 20
    removed_sample_chars: int = 40


DEFAULT_CLEAN_OPTIONS = CleanOptions()  # frozen, so one shared default is safe


class _Line(NamedTuple):
    """A non-blank line: [start, end) in the text, its stripped text, its page number."""

    start: int
    end: int
    text: str
    page: int


def _lines(text: str) -> list[_Line]:
    """The non-blank lines of ``text``, numbering pages by the "\f" before them."""
    page_breaks = [m.start() for m in P.RE_FORMFEED.finditer(text)]
    return [
        _Line(m.start(), m.end(), m.group(0).strip(), bisect_right(page_breaks, m.start()))
        for m in P.RE_NONBLANK_LINE.finditer(text)
    ]


def page_number_reason(line: str) -> str | None:
    """'page' when a stripped line is page furniture: "— 5 —", "第3页共12页", "3/12"."""
    match = P.RE_PAGE_NUMBER_LINE.fullmatch(line)
    if not match:
        return None
    if match.group("num") and int(match.group("num")) > int(match.group("den")):
        return None  # "12/3" is not "page 12 of 3"; likely a date or ratio
    return "page"


def chrome_reason(line: str, *, options: CleanOptions = CleanOptions()) -> str | None:
    """The chrome rule a stripped line matches ("breadcrumb", "nav", …), or None."""
    if len(line) <= options.chrome_clear_max_len:
        match = P.RE_CLEAR_CHROME.match(line)
        if match:
            return match.lastgroup.split("__")[0]
    if len(line) <= options.chrome_max_len and not line.endswith("。"):
        match = P.RE_SHORT_CHROME.match(line)
        if match:
            return match.lastgroup.split("__")[0]
        if P.RE_SEO_LINE.fullmatch(line):
            return "seo"
    return None


# A repeated line this close to the top is the report's title printed again and again
# (a site's headline, then the report's own title line): a title hint, though dropped.
HEADER_TITLE_MAX_INDEX = 10


def title_hint_from(line: str, reason: str, index: int = 0) -> str | None:
    """A title read off a chrome line: "本文标题:X" -> X, a breadcrumb's last item, or a
    title repeated as a "running header" at the top (人才队伍建设调查报告 ×3)."""
    if reason == "header":
        titled = RE_TITLE_CUE.search(line) and len(P.RE_HAS_HAN.findall(line)) >= 6
        return line if index < HEADER_TITLE_MAX_INDEX and titled else None
    if reason == "title":
        return P.RE_TITLE_LABEL.sub("", line, count=1).strip() or None
    if reason == "breadcrumb":
        last = P.RE_BREADCRUMB_SEPARATOR.split(line)[-1].strip()
        # a category ("办公文档") is short; a document title is longer
        if len(P.RE_HAS_HAN.findall(last)) >= 6 and "首页" not in last:
            return last
    return None


def _header_key(line: str) -> str:
    return P.RE_DIGITS.sub("#", P.RE_SPACES.sub("", line))


def _could_be_header(line: str, options: CleanOptions) -> bool:
    return (
        2 <= len(line) <= options.header_max_len
        and not P.RE_HEADING_LIKE.match(line)
        and not P.RE_TEXT_END.search(line)
        and not P.RE_SECTION_WORD.search(line)
        and not P.RE_BARE_NUMBER_LINE.fullmatch(line)
    )


def _edge_indices(lines: list[_Line], options: CleanOptions) -> set[int]:
    """Indices of the first/last few non-blank lines of every page."""
    by_page: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        if line.text:
            by_page.setdefault(line.page, []).append(index)
    edges: set[int] = set()
    k = options.page_edge_lines
    for indices in by_page.values():
        edges.update(indices[:k])
        edges.update(indices[-k:])
    return edges


def running_header_keys(lines: list[_Line], options: CleanOptions) -> set[str]:
    """Keys of short lines repeated on many pages (or many times when there are no pages)."""
    paged = len({line.page for line in lines}) > 1
    candidates = _edge_indices(lines, options) if paged else range(len(lines))
    pages_by_key: dict[str, set[int]] = {}
    counts: Counter[str] = Counter()
    for index in candidates:
        line = lines[index]
        if _could_be_header(line.text, options):
            key = _header_key(line.text)
            pages_by_key.setdefault(key, set()).add(line.page)
            counts[key] += 1
    if paged:
        return {k for k, pages in pages_by_key.items() if len(pages) >= options.header_min_repeats}
    return {k for k, n in counts.items() if n >= options.header_min_repeats}


def bare_page_numbers(lines: list[_Line], options: CleanOptions) -> set[int]:
    """Indices of bare-number lines that are page numbers.

    With page breaks: a bare number at a page edge. Without: numbers rising one by one
    (a page may be missed) and far apart, as page numbers of a flattened PDF are.
    """
    bare = [i for i, line in enumerate(lines) if P.RE_BARE_NUMBER_LINE.fullmatch(line.text)]
    if not bare:
        return set()
    if len({line.page for line in lines}) > 1:
        edges = _edge_indices(lines, options)
        return {i for i in bare if i in edges}
    chain: list[int] = []
    for index in bare:
        value = int(lines[index].text)
        if chain:
            last = int(lines[chain[-1]].text)
            if 1 <= value - last <= 2 and index - chain[-1] >= 5:
                chain.append(index)
        elif value <= 3:
            chain.append(index)
    return set(chain) if len(chain) >= options.header_min_repeats else set()


def classify_lines(
    lines: list[_Line], *, options: CleanOptions = CleanOptions()
) -> tuple[dict[int, str], str | None]:
    """Map line index -> reason for every line to drop, and the title hint found in chrome."""
    header_keys = running_header_keys(lines, options)
    dropped: dict[int, str] = dict.fromkeys(bare_page_numbers(lines, options), "page")
    hints: dict[str, str] = {}
    for index, line in enumerate(lines):
        if index in dropped:
            continue
        reason = None
        if len(line.text) <= options.chrome_clear_max_len:  # furniture is short
            reason = page_number_reason(line.text) or chrome_reason(line.text, options=options)
        if reason is None and P.RE_URL_LINE.fullmatch(line.text):
            reason = "url"
        if reason is None and header_keys and _header_key(line.text) in header_keys:
            # A report's title often doubles as its running header: keep it at the very top.
            reason = None if index == 0 else "header"
        if reason:
            dropped[index] = reason
            hint = title_hint_from(line.text, reason, index)
            if hint:
                hints.setdefault(reason, hint)
    return dropped, hints.get("title") or hints.get("breadcrumb") or hints.get("header")


def collapse_breaks(t: Tracked) -> Tracked:
    """Fold each page break ("\f") and the blank lines around it into one separator.

    The separator is the smaller of the newline runs before and after, at least one
    newline ("" at the text's ends). Scans from each "\f" outwards, so a long run of
    blank lines costs linear time.
    """
    text = t.text
    edits: list[Edit] = []
    floor = 0
    for match in P.RE_BREAK_FORWARD.finditer(text):
        if match.start() < floor:
            continue
        before_text = text[floor : match.start()]
        start = floor + len(before_text.rstrip(" \u3000\n"))
        forward = match.group(0)
        end = match.start() + max(forward.rfind("\n"), forward.rfind("\f")) + 1
        if start == 0 or end == len(text):
            separator = ""
        else:
            before = text.count("\n", start, match.start())
            after = text.count("\n", match.start(), end)
            separator = "\n" * max(1, min(before, after))
        edits.append((start, end, separator))
        floor = match.end()
    return t.edit(edits) if edits else t


def drop_lines(
    t: Tracked, *, options: CleanOptions = CleanOptions()
) -> tuple[Tracked, str | None, list[str]]:
    """Drop chrome, page furniture and URL-only lines; turn page breaks into newlines.

    A dropped line and the blank lines around it shrink to the separator the document
    uses around it (one newline in single-spaced text, a blank line in double-spaced
    text), because a page break is no evidence of a paragraph break. Returns the text,
    the title hint and the dropped lines.
    """
    lines = _lines(t.text)
    dropped, title_hint = classify_lines(lines, options=options)
    # "\f" marks a removed line, like a page break, so one regex collapses both.
    edits = [(lines[i].start, lines[i].end, "\f") for i in sorted(dropped)]
    removed = [lines[i].text for i in sorted(dropped)]
    log.debug("drop_lines: %s", Counter(dropped.values()))
    t = t.edit(edits) if edits else t
    return collapse_breaks(t), title_hint, removed
