"""Layout repair: undo hard wrapping, split run-on reports, find figure/table captions.

PDF exports break every line at a fixed width (and some add a blank line after each
one); web pages sometimes put a whole report on a single line. The structure stage
expects one paragraph or heading per line, so these helpers restore that shape.
They work on :class:`~pipeline.text.tracked.Tracked` text so every kept character
still maps back to the raw file.

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

log = logging.getLogger(__name__)

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_NUM = "一二三四五六七八九十"
FINAL_PUNCT = "。！？；!?;"  # ends a sentence
CLOSERS = "”’」』）)】"  # may follow a sentence-final mark: 。” / 。）

# --- patterns ------------------------------------------------------------------

# "一、各地主要做法", "（一）巴州区", "(二)", "（3）", "1.区县级", "2、", "③", "第一章",
# "第二节", "一是构建", "二要拓宽" -> a line that starts with a heading/enumeration marker
RE_LINE_MARKER = re.compile(
    r"^[ \t\u3000]*(?:"
    rf"第[{CN_NUM}百零〇\d]{{1,4}}[章节部分篇条]"
    rf"|[{CN_NUM}]{{1,3}}、"
    rf"|[（(][{CN_NUM}]{{1,3}}[）)]"
    r"|[（(]\d{1,2}[）)]"
    r"|\d{1,2}(?:[、.．](?!\d)|[）)])"
    r"|[\u2460-\u2473\u2776-\u277f]"
    rf"|[{CN_NUM}]{{1,2}}[是要](?![素求点件])"
    r")"
)
# "…推动发展。" / "…如下：" / "…的。”" -> a line that ends a sentence (or introduces a list)
RE_FINAL_END = re.compile(rf"[{FINAL_PUNCT}：:…][{CLOSERS}]*\s*$")
# "…在“三区三县”均召开了重点部门，" / "…优化、" / "…“" -> a line that stops mid-sentence
RE_OPEN_END = re.compile(r"[，,、“‘「『（(《〈【—]\s*$")
# "…做法。一是…" -> a full stop inside a line: the line holds a sentence, not a bare title
RE_SENTENCE_INSIDE = re.compile(f"[{FINAL_PUNCT}]")
# "基层是…之基，…" -> text after a title that holds a clause break: body, not a subtitle
RE_BODY_TEXT = re.compile(f"[{FINAL_PUNCT}，,]")
# "建设。鉴于…" -> a line that opens with the last few characters of a wrapped sentence
RE_SHORT_SENTENCE_TAIL = re.compile(rf"^\s*[^\s，、。；！？：]{{0,4}}[{FINAL_PUNCT}]")
# "，每月召开…", "。县文旅局…", "）等单位" -> a line that opens with punctuation only a sentence
# can continue with (no paragraph starts like this)
RE_PUNCT_START = re.compile(r"^\s*[，,、。；;：:！!？?）)”’」』】…]")
# "  全市…" (two spaces or an ideographic space) -> paragraph indentation, not a stray space
RE_INDENT = re.compile(r"^(?: {2,}|\u3000)")
RE_LEADING_SPACES = re.compile(r"^ +")
# Two Latin words wrapped apart need a space back ("data\nbase" is rare; "smart\ncity" is not);
# digits wrapped apart do not ("1\n275名" is one number cut by the line end).
RE_LATIN_LETTER = re.compile(r"[A-Za-z]")
# "调", "，", "（", "“", "…", "①" -> a character printed two columns wide in a Chinese PDF
# (East Asian Width W, F, and the ambiguous punctuation Chinese fonts print wide)
RE_WIDE_CHAR = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6"
    "\u2018\u2019\u201c\u201d\u2026\u2014\u2015\u00b7\u00d7\u2460-\u24ff\u2776-\u277f"
    "\U00020000-\U0003fffd]"
)

# "（图 1：全市干部学历结构图）", "图1 学历结构", "图 2-1 xxx", "表3：xxx", "附表2", "附表",
# "Figure 1. Age", "Table 2: …" -> a caption line (not "（见图 1）", not "图1显示，…")
RE_CAPTION = re.compile(
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

# Run-on splitting: where a new paragraph may start inside a very long line.
# "…解决。一、存在问题", "…如下。（二）", "…。第三章", "…。2.加强", "…”（1）" -> a structural
# marker right after sentence-final punctuation (or a closing quote)
RE_RUNON_MARKER = re.compile(
    rf"(?<=[{FINAL_PUNCT}：”」』])[ \t]*(?="
    rf"第[{CN_NUM}百零〇\d]{{1,4}}[章节部分篇]"
    rf"|[{CN_NUM}]{{1,3}}、"
    rf"|[（(][{CN_NUM}]{{1,3}}[）)]"
    r"|[（(]\d{1,2}[）)]"
    rf"|\d{{1,2}}[.．、](?=[{HAN}“]))"
)
# "…积极性。二是交流渠道…", "…。三要强化…", "…。第二，…" -> an inline enumeration item
RE_RUNON_ITEM = re.compile(
    rf"(?<=[{FINAL_PUNCT}])[ \t]*(?=[{CN_NUM}]{{1,2}}(?:是|要|方面)(?![素求点件])"
    rf"|第[{CN_NUM}]{{1,2}}[，,])"
)
# "存在问题一是…", "对策建议（一）…", "主要做法1.…" -> a short title glued to its first item
# (built by _title_then_item_pattern, since the title length is an option)
TITLE_THEN_FIRST_ITEM = (
    rf"[^{FINAL_PUNCT}，、：\n]{{{{2,{{max_chars}}}}}}?"
    rf"(?=一是|一要|一方面|[（(][一1][）)]|1[.．、](?=[{HAN}]))"
)
# "一、", "（二）", "(3)", "2.", "第一章" -> the marker a run-on heading starts with
RE_MARKER_AT = re.compile(
    rf"第[{CN_NUM}百零〇\d]{{1,4}}[章节部分篇]|[{CN_NUM}]{{1,3}}、|[（(][{CN_NUM}]{{1,3}}[）)]"
    rf"|[（(]\d{{1,2}}[）)]|\d{{1,2}}[.．、]"
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
    # split_run_on only touches lines longer than this many characters.
    run_on_min_chars: int = 1500
    # A heading glued to its first item ("存在问题一是…") is at most this long.
    heading_max_chars: int = 30
    # Start a new line before inline items 一是/二是/一要 that follow a full stop in a run-on
    # line, when the item runs at least this many characters (0 disables the split).
    run_on_item_min_chars: int = 80
    # Caption lines are at most this many characters.
    caption_max_chars: int = 60


DEFAULT_OPTIONS = LayoutOptions()


# --- lines -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
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


def _iter_lines(text: str) -> Iterator[_Line]:
    pos = 0
    for raw_line in text.split("\n"):
        end = pos + len(raw_line)
        stripped_left = raw_line.lstrip()
        content_start = end - len(stripped_left)
        content_end = pos + len(raw_line.rstrip())
        yield _Line(pos, end, min(content_start, content_end), content_end, raw_line)
        pos = end + 1


def display_width(line: str) -> int:
    """Columns a line takes when printed: CJK and full-width characters count 2."""
    return len(line) + len(RE_WIDE_CHAR.findall(line))


def is_caption(line: str, *, options: LayoutOptions = DEFAULT_OPTIONS) -> bool:
    """True for a figure/table caption line such as "（图 1：全市干部学历结构图）"."""
    stripped = line.strip()
    if not stripped or len(stripped) > options.caption_max_chars:
        return False
    return bool(RE_CAPTION.match(stripped)) and not RE_CAPTION_REJECT.search(stripped)


def find_captions(
    text: str, *, options: LayoutOptions = DEFAULT_OPTIONS
) -> tuple[tuple[int, int], ...]:
    """Spans (start, end) in ``text`` of lines that are figure or table captions."""
    return tuple(
        (line.content_start, line.content_end)
        for line in _iter_lines(text)
        if not line.blank and is_caption(line.content, options=options)
    )


def detect_wrap_width(text: str, *, options: LayoutOptions = DEFAULT_OPTIONS) -> int | None:
    """The width (columns) a hard-wrapped text was broken at, or None if it is not wrapped."""
    widths = [display_width(line.content) for line in _iter_lines(text) if not line.blank]
    return _wrap_width(widths, options)


def _wrap_width(widths: list[int], options: LayoutOptions) -> int | None:
    # The wrap width is the upper edge of the densest band [w * (1 - tol), w]: justified
    # PDF lines vary by a few columns (half-width digits, squeezed punctuation).
    long_widths = sorted(w for w in widths if w >= options.min_wrap_width)
    if len(long_widths) < options.min_wrapped_lines:
        return None
    best_width, best_count = 0, 0
    low = 0
    for high, width in enumerate(long_widths):
        while long_widths[low] < width * (1 - options.wrap_tolerance):
            low += 1
        count = high - low + 1
        if count > best_count:  # ascending scan: a tie keeps the narrower width
            best_width, best_count = width, count
    if best_width > options.max_wrap_width or best_count < options.min_wrapped_lines:
        return None
    if best_count / len(long_widths) < options.min_wrapped_share:
        return None
    return best_width


def _soft_blank_flags(lines: list[_Line], options: LayoutOptions) -> list[bool]:
    """For each non-blank line: are the blank lines around it layout rather than breaks?"""
    followed = []
    for index, line in enumerate(lines[:-1]):
        nxt = lines[index + 1]
        after = lines[index + 2] if index + 2 < len(lines) else None
        followed.append(nxt.blank and after is not None and not after.blank and not line.blank)
    contents = [i for i, line in enumerate(lines) if not line.blank]
    flags_by_index: dict[int, bool] = {}
    votes = [followed[i] if i < len(followed) else False for i in contents]
    for pos, index in enumerate(contents):
        lo, hi = max(0, pos - options.soft_blank_window), pos + options.soft_blank_window + 1
        window = votes[lo:hi]
        flags_by_index[index] = sum(window) >= options.soft_blank_ratio * len(window)
    return [flags_by_index.get(i, False) for i in range(len(lines))]


# --- rejoining -------------------------------------------------------------------------


def _should_join(
    prev: _Line,
    nxt: _Line,
    *,
    prev_width: int,
    gap: int,
    soft: bool,
    full_from: int | None,
    options: LayoutOptions,
) -> bool:
    """Decide whether ``nxt`` continues the sentence that ``prev`` breaks off.

    ``gap`` counts the blank lines between them; ``soft`` says those blanks are only
    layout; ``full_from`` is the width from which a line counts as full (None: unwrapped).
    """
    a, b = prev.content, nxt.content
    if is_caption(a, options=options) or is_caption(b, options=options):
        return False
    if RE_LINE_MARKER.match(b):
        return False
    if RE_PUNCT_START.match(b) and (soft or not gap):
        return True
    open_end = options.join_open_ends and bool(RE_OPEN_END.search(a))
    full = (
        full_from is not None
        and prev_width >= full_from
        and not RE_FINAL_END.search(a)
        and not RE_INDENT.match(nxt.text)
    )
    if not (open_end or full):
        return False
    if gap and not soft and not (full and gap <= options.max_blank_gap):
        return False
    if not open_end and RE_LINE_MARKER.match(a) and not RE_SENTENCE_INSIDE.search(a):
        # "（四）事业干部存在悲观情绪，“青黄不接”问题十分突出" can fill a line exactly;
        # only a next line that opens with a tiny sentence tail ("建设。") proves a wrap.
        return bool(RE_SHORT_SENTENCE_TAIL.match(b))
    return True


def _join_edit(prev: _Line, nxt: _Line) -> Edit:
    a_last, b_first = prev.content[-1], nxt.content[0]
    latin = RE_LATIN_LETTER.match(a_last) and RE_LATIN_LETTER.match(b_first)
    return (prev.content_end, nxt.content_start, " " if latin else "")


def rejoin_wrapped_lines(t: Tracked, *, options: LayoutOptions = DEFAULT_OPTIONS) -> Tracked:
    """Join hard-wrapped lines back into paragraphs, keeping headings and captions apart."""
    lines = list(_iter_lines(t.text))
    contents = [i for i, line in enumerate(lines) if not line.blank]
    widths = {i: display_width(lines[i].content) for i in contents}
    wrap = _wrap_width(list(widths.values()), options)
    full_from = None if wrap is None else int(wrap * options.full_line_share)
    soft = _soft_blank_flags(lines, options)
    edits: list[Edit] = []
    joins = 0
    for pos, index in enumerate(contents[:-1]):
        prev, nxt_index = lines[index], contents[pos + 1]
        nxt = lines[nxt_index]
        gap = nxt_index - index - 1
        is_soft = wrap is not None and soft[index] and soft[nxt_index]
        join = _should_join(
            prev,
            nxt,
            prev_width=widths[index],
            gap=gap,
            soft=is_soft,
            full_from=full_from,
            options=options,
        )
        if join:
            edits.append(_join_edit(prev, nxt))
            joins += 1
            continue
        if gap and is_soft:
            edits.append((prev.end + 1, nxt.start, ""))  # blank lines here are only layout
        if wrap is not None and RE_LEADING_SPACES.match(nxt.text) and not RE_INDENT.match(nxt.text):
            edits.append((nxt.start, nxt.content_start, ""))  # " 优配备": a stray PDF space
    if wrap is not None and contents and RE_LEADING_SPACES.match(lines[contents[0]].text):
        first = lines[contents[0]]
        if not RE_INDENT.match(first.text):
            edits.append((first.start, first.content_start, ""))
    log.debug("rejoin: wrap width %s, %d joins", wrap, joins)
    return t.edit(edits) if edits else t


# --- run-on lines --------------------------------------------------------------------


TITLE_SCAN_LINES = 3  # lines at the top where a glued title is looked for


def _title_split(t: Tracked, title_hint: str) -> Edit | None:
    """A newline after the title when an opening line is the title glued to the body.

    Only the first few lines are looked at: a notice or a subtitle may come first.
    """
    title = title_hint.strip()
    if not title:
        return None
    opening = [line for line in _iter_lines(t.text) if not line.blank][:TITLE_SCAN_LINES]
    first = next((line for line in opening if line.content.startswith(title)), None)
    if first is None:
        return None
    rest = first.content[len(title) :]
    if not RE_BODY_TEXT.search(rest):
        return None  # "…调研报告（2021年）": a subtitle, not the first sentence
    title_end = first.content_start + len(title)
    return (title_end, title_end + len(rest) - len(rest.lstrip()), "\n")


def _item_splits(line: _Line, options: LayoutOptions, blocked: set[int]) -> list[Edit]:
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


def _run_on_edits(line: _Line, options: LayoutOptions) -> list[Edit]:
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


def split_run_on(
    t: Tracked, *, title_hint: str | None = None, options: LayoutOptions = DEFAULT_OPTIONS
) -> Tracked:
    """Break a report printed on one huge line into heading and paragraph lines."""
    edits: list[Edit] = []
    if title_hint:
        title_edit = _title_split(t, title_hint)
        if title_edit:
            edits.append(title_edit)
    for line in _iter_lines(t.text):
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
