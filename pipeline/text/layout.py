"""Layout repair: split run-on reports into lines, find figure/table captions.

PDF exports break every line at a fixed width (undone by :mod:`pipeline.text.wrap`); web
pages sometimes put a whole report on a single line. The structure stage expects one
paragraph or heading per line, so these helpers restore that shape. They work on
:class:`~pipeline.text.tracked.Tracked` text so every kept character still maps back to
the raw file.

``clean()`` calls them after page furniture is removed and widths are normalised,
so Chinese punctuation is full-width here (，。；：（）).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from pipeline.text.tracked import Edit, Tracked
from pipeline.text.vocab import (
    CJK_PUNCT,
    CN_NUM,
    HAN,
    MARKER_AR_PAREN,
    MARKER_CHAPTER_NUMBER,
    MARKER_CN_DUN,
    MARKER_CN_PAREN,
    SENTENCE_END,
)

log = logging.getLogger(__name__)

# --- patterns ------------------------------------------------------------------

# "（图 1：全市干部学历结构图）", "图1 学历结构", "图 2-1 xxx", "表3：xxx", "附表2", "附表",
# "Figure 1. Age", "Table 2: …" -> a caption line (not "（见图 1）", not "图1显示，…")
RE_CAPTION_LINE = re.compile(
    r"^\s*[（(]?\s*(?:"
    r"(?:附?(?:图表|图|表)|Figure|Fig\.|Table)\s*"
    rf"(?:\d{{1,3}}(?:[-.－—–]\d{{1,3}})*|[{CN_NUM}]{{1,3}})"
    r"(?:\s*[：:．.、]\s*|\s+|(?=[）)])|$)"
    r"(?!显示|表明|所示|可见|反映|说明|中|为|是)"
    r"|附[图表]\s*(?:[：:]|$)"
    r")",
    re.IGNORECASE,
)
# "，" or "。" inside a caption candidate means it is a sentence that mentions a figure
RE_CAPTION_REJECT = re.compile(r"[，。；](?!\s*[）)]?\s*$)")

# "基层是…之基，…" -> text after a title that holds a clause break: body, not a subtitle
RE_BODY_TEXT = re.compile(f"[{SENTENCE_END}，,]")

# Run-on splitting: where a new paragraph may start inside a very long line.
# "…解决。一、存在问题", "…如下。（二）", "…。第三章", "…。2.加强", "…”（1）" -> a structural
# marker right after sentence-final punctuation (or a closing quote)
RE_RUNON_MARKER = re.compile(
    rf"(?<=[{SENTENCE_END}：”」』])[ \t]*(?="
    rf"{MARKER_CHAPTER_NUMBER}[章节部分篇]"
    rf"|{MARKER_CN_DUN}"
    rf"|{MARKER_CN_PAREN}"
    rf"|{MARKER_AR_PAREN}"
    rf"|\d{{1,2}}[.．、](?=[{HAN}“]))"
)
# "…积极性。二是交流渠道…", "…。三要强化…", "…。第二，…" -> an inline enumeration item
RE_RUNON_ITEM = re.compile(
    rf"(?<=[{SENTENCE_END}])[ \t]*(?=[{CN_NUM}]{{1,2}}(?:是|要|方面)(?![素求点件])"
    rf"|第[{CN_NUM}]{{1,2}}[，,])"
)
# "存在问题一是…", "对策建议（一）…", "主要做法1.…" -> a short title glued to its first item
# (built by _title_then_item_pattern, since the title length is an option)
TITLE_THEN_FIRST_ITEM = (
    rf"[^{SENTENCE_END}，、：\n]{{{{2,{{max_chars}}}}}}?"
    rf"(?=一是|一要|一方面|[（(][一1][）)]|1[.．、](?=[{HAN}]))"
)
# "课题。   一、乡镇" -> three or more spaces between two pieces of text
RE_WIDE_GAP = re.compile(r"(?<=\S)[ \u3000]{3,}(?=\S)")
# Chinese text (or a digit) on both sides of a gap: a PDF's spaced-out characters, squeezed
# out as pipeline.text.clean.squeeze_cjk_spaces does with shorter runs ("等   8 个" -> "等8个")
RE_SQUEEZABLE_GAP = re.compile(
    rf"(?<=[{HAN}{CJK_PUNCT}])[ \u3000]{{3,}}(?=[{HAN}{CJK_PUNCT}\d])"
    rf"|(?<=\d)[ \u3000]{{3,}}(?=[{HAN}{CJK_PUNCT}])"
)
# A line this short, or made of 1-3 character tokens ("雷 智   刘 林"), keeps its spaces.
GAP_KEEP_LINE_CHARS = 16
GAP_KEEP_TOKEN_CHARS = 3

# "一、", "（二）", "(3)", "2.", "第一章" -> the marker a run-on heading starts with
RE_MARKER_AT = re.compile(
    rf"{MARKER_CHAPTER_NUMBER}[章节部分篇]|{MARKER_CN_DUN}|{MARKER_CN_PAREN}"
    rf"|{MARKER_AR_PAREN}|\d{{1,2}}[.．、]"
)


@dataclass(frozen=True)
class LayoutOptions:
    """Tunables for layout repair (widths are display columns: a CJK char counts 2)."""

    # Lines within this share below a width vote for it as the wrap width (justified PDF
    # lines vary by a few columns: half-width digits, squeezed punctuation).
    wrap_tolerance: float = 0.12
    # A line at least this share of the wrap width is "full": it was broken by the wrap.
    # (Paragraph first lines lose their indent; "1." and digits print narrower.)
    full_line_share: float = 0.82
    # Lines narrower than this never vote for the wrap width (12 CJK chars).
    min_wrap_width: int = 24
    # A wrap width above this is not a hard wrap but ordinary long paragraphs (100 CJK).
    max_wrap_width: int = 200
    # At least this many lines must share the wrap width before we call a text wrapped.
    min_wrapped_lines: int = 6
    # ...and they must be at least this share of all lines wider than min_wrap_width.
    min_wrapped_share: float = 0.4
    # Blank lines are layout, not paragraph breaks, where at least this share of the
    # nearby lines is followed by exactly one blank line.
    soft_blank_ratio: float = 0.7
    # How many lines on each side "nearby" means for soft_blank_ratio.
    soft_blank_window: int = 6
    # A full-width wrapped line may be joined across at most this many (hard) blank lines,
    # which page-footer removal leaves behind.
    max_blank_gap: int = 3
    # Join a line ending in ，、“（ to the next line even in an unwrapped text.
    join_open_ends: bool = True
    # A full line of a wrapped text that ends in ； or ： goes on with the next line (one
    # that ends in 。！？ may end its paragraph); a line opening with a marker never joins.
    join_full_colon_lines: bool = True
    # split_run_on only touches lines longer than this many characters.
    run_on_min_chars: int = 1500
    # A heading glued to its first item ("存在问题一是…") is at most this long.
    heading_max_chars: int = 30
    # Start a new line before inline items 一是/二是/一要 that follow a full stop in a run-on
    # line, when the item runs at least this many characters (0 disables the split).
    run_on_item_min_chars: int = 80
    # Caption lines are at most this many characters.
    caption_max_chars: int = 60
    # In a line at least this long, a run of three or more spaces is a paragraph break
    # (a web page printed on one line: "…重要课题。   一、乡镇工作困难…"); 0 disables it.
    gap_break_min_chars: int = 200


DEFAULT_OPTIONS = LayoutOptions()


# --- lines and captions ------------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    """One line of a text: [start, end) without its newline, and its stripped content span."""

    start: int
    end: int
    content_start: int
    content_end: int
    text: str

    @property
    def blank(self) -> bool:
        return self.content_start >= self.content_end

    @property
    def content(self) -> str:
        return self.text[self.content_start - self.start : self.content_end - self.start]


def text_lines(text: str) -> Iterator[TextLine]:
    """Every line of ``text`` (blank ones too), with its offsets."""
    pos = 0
    for raw_line in text.split("\n"):
        end = pos + len(raw_line)
        stripped_left = raw_line.lstrip()
        content_start = end - len(stripped_left)
        content_end = pos + len(raw_line.rstrip())
        yield TextLine(pos, end, min(content_start, content_end), content_end, raw_line)
        pos = end + 1


def is_caption(line: str, *, options: LayoutOptions = DEFAULT_OPTIONS) -> bool:
    """True for a figure/table caption line such as "（图 1：全市干部学历结构图）"."""
    stripped = line.strip()
    if not stripped or len(stripped) > options.caption_max_chars:
        return False
    return bool(RE_CAPTION_LINE.match(stripped)) and not RE_CAPTION_REJECT.search(stripped)


def find_captions(
    text: str, *, options: LayoutOptions = DEFAULT_OPTIONS
) -> tuple[tuple[int, int], ...]:
    """Spans (start, end) in ``text`` of lines that are figure or table captions."""
    return tuple(
        (line.content_start, line.content_end)
        for line in text_lines(text)
        if not line.blank and is_caption(line.content, options=options)
    )


# --- run-on lines --------------------------------------------------------------------


TITLE_SCAN_LINES = 3  # lines at the top where a glued title is looked for


def _title_split(t: Tracked, title_hint: str) -> Edit | None:
    """A newline after the title when an opening line is the title glued to the body.

    Only the first few lines are looked at: a notice or a subtitle may come first.
    """
    title = title_hint.strip()
    if not title:
        return None
    opening = [line for line in text_lines(t.text) if not line.blank][:TITLE_SCAN_LINES]
    first = next((line for line in opening if line.content.startswith(title)), None)
    if first is None:
        return None
    rest = first.content[len(title) :]
    if not RE_BODY_TEXT.search(rest):
        return None  # "…调研报告（2021年）": a subtitle, not the first sentence
    title_end = first.content_start + len(title)
    return (title_end, title_end + len(rest) - len(rest.lstrip()), "\n")


def _item_splits(line: TextLine, options: LayoutOptions, blocked: set[int]) -> list[Edit]:
    """Newlines before long inline items (一是/二是…) that follow a full stop."""
    if options.run_on_item_min_chars <= 0:
        return []
    matches = list(RE_RUNON_ITEM.finditer(line.text))
    starts = [line.start + m.end() for m in matches] + [line.end]
    edits = []
    for match, item_end in zip(matches, starts[1:], strict=True):
        item_start = line.start + match.end()
        if item_start in blocked or item_end - item_start < options.run_on_item_min_chars:
            continue
        edits.append((line.start + match.start(), item_start, "\n"))
    return edits


@lru_cache(maxsize=8)
def _title_then_item_pattern(max_chars: int) -> re.Pattern[str]:
    return re.compile(TITLE_THEN_FIRST_ITEM.format(max_chars=max_chars))


def _run_on_edits(line: TextLine, options: LayoutOptions) -> list[Edit]:
    """Newlines to insert into one very long line, as (start, end, "\n") edits."""
    edits: list[Edit] = []
    heading_starts: list[int] = []  # offsets in line.text where a heading marker begins
    if RE_MARKER_AT.match(line.text, line.content_start - line.start):
        heading_starts.append(line.content_start - line.start)
    for match in RE_RUNON_MARKER.finditer(line.text):
        edits.append((line.start + match.start(), line.start + match.end(), "\n"))
        heading_starts.append(match.end())
    title_then_item = _title_then_item_pattern(options.heading_max_chars)
    first_items: set[int] = set()
    for start in heading_starts:
        marker = RE_MARKER_AT.match(line.text, start)
        glued = marker and title_then_item.match(line.text, marker.end())
        if glued:  # "一、存在问题一是…" -> "一、存在问题\n一是…"
            first_items.add(line.start + glued.end())
            edits.append((line.start + glued.end(), line.start + glued.end(), "\n"))
    edits.extend(_item_splits(line, options, first_items))
    return edits


def break_wide_gaps(t: Tracked, *, options: LayoutOptions = DEFAULT_OPTIONS) -> Tracked:
    """Runs of three or more spaces: a paragraph break in a long line (a web page printed
    on one line), else squeezed out between Chinese characters like shorter runs.

    Lines of a few short tokens keep their spaces: there they part names ("雷 智   刘 林").
    """
    edits: list[Edit] = []
    for line in text_lines(t.text):
        content = line.content
        gaps = list(RE_WIDE_GAP.finditer(line.text))
        if not gaps:
            continue
        breaks = 0 < options.gap_break_min_chars <= len(content)
        if not breaks and (
            len(content) <= GAP_KEEP_LINE_CHARS
            or all(len(token) <= GAP_KEEP_TOKEN_CHARS for token in content.split())
        ):
            continue
        for gap in gaps if breaks else RE_SQUEEZABLE_GAP.finditer(line.text):
            edits.append((line.start + gap.start(), line.start + gap.end(), "\n" if breaks else ""))
    return t.edit(edits) if edits else t


def split_run_on(
    t: Tracked, *, title_hint: str | None = None, options: LayoutOptions = DEFAULT_OPTIONS
) -> Tracked:
    """Break a report printed on one huge line into heading and paragraph lines."""
    t = break_wide_gaps(t, options=options)
    edits: list[Edit] = []
    if title_hint:
        title_edit = _title_split(t, title_hint)
        if title_edit:
            edits.append(title_edit)
    for line in text_lines(t.text):
        if line.end - line.start > options.run_on_min_chars:
            edits.extend(_run_on_edits(line, options))
    if not edits:
        return t
    log.debug("split_run_on: %d breaks", len(edits))
    return t.edit(_merge_breaks(edits))


def _merge_breaks(edits: list[Edit]) -> list[Edit]:
    """Keep one break per place: a title split and a marker split can touch or coincide."""
    merged: list[Edit] = []
    for edit in sorted(set(edits), key=lambda e: (e[0], -e[1])):
        if merged and edit[0] <= merged[-1][1]:
            continue  # a second "\n" here would make an empty line
        merged.append(edit)
    return merged
