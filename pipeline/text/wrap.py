"""Undo hard wrapping: join the lines a PDF export broke at a fixed width back into paragraphs.

The wrap width is the width most long lines share (justified lines vary by a few
columns); a line that fills it and does not end a sentence continues on the next line,
unless that line opens with a heading marker or either is a caption. Blank lines after
every line are layout, not paragraph breaks, where nearly all lines nearby have one.
"""

from __future__ import annotations

import logging
import re

from pipeline.text.layout import (
    DEFAULT_OPTIONS,
    LayoutOptions,
    TextLine,
    is_caption,
    text_lines,
)
from pipeline.text.tracked import Edit, Tracked
from pipeline.text.vocab import (
    CLOSING_QUOTES,
    CN_NUM,
    MARKER_AR_PAREN,
    MARKER_CHAPTER_NUMBER,
    MARKER_CN_DUN,
    MARKER_CN_PAREN,
    RE_SENTENCE_END_CHAR,
    SENTENCE_END,
)

log = logging.getLogger(__name__)

# --- patterns ------------------------------------------------------------------

# Closing quotes and brackets that may follow a sentence-final mark: 。” / 。） / 。】
CLOSERS = CLOSING_QUOTES + "】"
# "一、各地主要做法", "（一）巴州区", "(二)", "（3）", "1.区县级", "2、", "③", "第一章",
# "第二节", "一是构建", "二要拓宽" -> a line that starts with a heading/enumeration marker
RE_LINE_MARKER = re.compile(
    r"^[ \t\u3000]*(?:"
    rf"{MARKER_CHAPTER_NUMBER}[章节部分篇条]"
    rf"|{MARKER_CN_DUN}"
    rf"|{MARKER_CN_PAREN}"
    rf"|{MARKER_AR_PAREN}"
    r"|\d{1,2}(?:[、.．](?!\d)|[）)])"
    r"|[\u2460-\u2473\u2776-\u277f]"
    rf"|[{CN_NUM}]{{1,2}}[是要](?![素求点件])"
    r")"
)
# "…推动发展。" / "…如下：" / "…的。”" -> a line that ends a sentence (or introduces a list)
RE_FINAL_END = re.compile(rf"[{SENTENCE_END}：:…][{CLOSERS}]*\s*$")
# "…推动发展。" / "…的。”" -> a line that may end a paragraph; a full line ending in "；" or
# "：" ("…主要是：" / "…服务保障工作；") goes on with the next line
RE_WRAPPED_PARAGRAPH_END = re.compile(rf"[。！？!?…][{CLOSERS}]*\s*$")
# "二是高质量发展…" / "三要…" -> an inline item that may go on a sentence broken after a comma
RE_ENUM_CUE_LINE = re.compile(rf"^[ \t\u3000]*[{CN_NUM}]{{1,2}}[是要](?![素求点件])")
# "2、取发放问卷…" / "3、- - - 一、全盟…" -> a document site's page-chunk number (the
# chunks run 1、2、3、 down the page and cut words: "…调研组，采" / "2、取发放问卷…")
RE_CHUNK_NUMBER = re.compile(
    r"^[ \t\u3000]*(\d{1,3})、(?:[ \t\u3000]*[-－—](?=[ \t\u3000-－—]))*[ \t\u3000]*"
)
# "…持续提升，" / "…优化、" -> a line broken after a comma
RE_COMMA_END = re.compile(r"[，,、]\s*$")
# "主要是：经济回升向好的基础还不稳固，…" -> the rest of a list's lead-in, never a paragraph
# of its own (the line before ends "…不少困难和挑战。" at the margin)
RE_LEADIN_REST = re.compile(r"^[ \t\u3000]*(?:主要|具体|集中)(?:是|有|表现[在为]|体现[在为])[：:]")
# "…在“三区三县”均召开了重点部门，" / "…优化、" / "…“" -> a line that stops mid-sentence
RE_OPEN_END = re.compile(r"[，,、“‘「『（(《〈【—]\s*$")
# "建设。鉴于…" -> a line that opens with the last few characters of a wrapped sentence
RE_SHORT_SENTENCE_TAIL = re.compile(rf"^\s*[^\s，、。；！？：]{{0,4}}[{SENTENCE_END}]")
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


# --- wrap width --------------------------------------------------------------------


def display_width(line: str) -> int:
    """Columns a line takes when printed: CJK and full-width characters count 2."""
    return len(line) + len(RE_WIDE_CHAR.findall(line))


def detect_wrap_width(text: str, *, options: LayoutOptions = DEFAULT_OPTIONS) -> int | None:
    """The width (columns) a hard-wrapped text was broken at, or None if it is not wrapped."""
    widths = [display_width(line.content) for line in text_lines(text) if not line.blank]
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


def _soft_blank_flags(lines: list[TextLine], options: LayoutOptions) -> list[bool]:
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
    prev: TextLine,
    nxt: TextLine,
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
    open_end = options.join_open_ends and bool(RE_OPEN_END.search(a))
    if RE_LINE_MARKER.match(b):
        # a marker after a sentence end starts a paragraph; only an inline item (一是…) can
        # go on a sentence a wrap broke after a comma: "…目标：一是首都功能持续提升，" / "二是…"
        return bool(open_end and not gap and RE_ENUM_CUE_LINE.match(b) and RE_COMMA_END.search(a))
    if RE_PUNCT_START.match(b) and (soft or not gap):
        return True
    if RE_LEADIN_REST.match(b) and full_from is not None and prev_width >= full_from:
        return not gap or soft
    full = (
        full_from is not None
        and prev_width >= full_from
        and not (RE_WRAPPED_PARAGRAPH_END if options.join_full_colon_lines
                 else RE_FINAL_END).search(a)
        and not RE_INDENT.match(nxt.text)
    )
    if not (open_end or full):
        return False
    if gap and not soft and not (full and gap <= options.max_blank_gap):
        return False
    if not open_end and RE_LINE_MARKER.match(a) and not RE_SENTENCE_END_CHAR.search(a):
        # "（四）事业干部存在悲观情绪，“青黄不接”问题十分突出" can fill a line exactly;
        # only a next line that opens with a tiny sentence tail ("建设。") proves a wrap.
        return bool(RE_SHORT_SENTENCE_TAIL.match(b))
    return True


def _join_edit(prev: TextLine, nxt: TextLine) -> Edit:
    a_last, b_first = prev.content[-1], nxt.content[0]
    latin = RE_LATIN_LETTER.match(a_last) and RE_LATIN_LETTER.match(b_first)
    return (prev.content_end, nxt.content_start, " " if latin else "")


MIN_CHUNK_RUN = 3  # page-chunk numbers come in a run of at least 1、2、3、


def _chunk_runs(lines: list[TextLine]) -> list[list[tuple[int, re.Match[str]]]]:
    """Runs of lines opening with chunk numbers 1、2、3、… in order, at least one of them
    right after a line that stops mid-sentence (a cut word, not a numbered item)."""
    runs: list[list[tuple[int, re.Match[str]]]] = []
    for index, line in enumerate(lines):
        match = RE_CHUNK_NUMBER.match(line.text)
        if not match:
            continue
        number = int(match.group(1))
        if runs and int(runs[-1][-1][1].group(1)) + 1 == number:
            runs[-1].append((index, match))
        elif number == 1:
            runs.append([(index, match)])
    return [run for run in runs if len(run) >= MIN_CHUNK_RUN and any(
        _cut_before(lines, index) for index, _match in run)]


def _cut_before(lines: list[TextLine], index: int) -> bool:
    previous = next((line for line in reversed(lines[:index]) if not line.blank), None)
    return previous is not None and not RE_FINAL_END.search(previous.content)


def strip_chunk_numbers(t: Tracked) -> Tracked:
    """Drop a document site's page-chunk numbers (1、2、3、 at line starts) and join each
    chunk to the text it continues: "…调研组，采" + "2、取发放问卷…" -> "…调研组，采取发放问卷…".

    A chunk that opens with a heading marker ("3、一、全盟…") stays on its own line.
    """
    lines = list(text_lines(t.text))
    edits: list[Edit] = []
    for run in _chunk_runs(lines):
        for index, match in run:
            line = lines[index]
            rest = line.text[match.end() :]
            previous = next((k for k in range(index - 1, -1, -1) if not lines[k].blank), None)
            if (previous is not None and _cut_before(lines, index) and rest
                    and not RE_LINE_MARKER.match(rest)):
                edits.append((lines[previous].content_end, line.start + match.end(), ""))
            else:
                edits.append((line.start, line.start + match.end(), ""))
    return t.edit(edits) if edits else t


def rejoin_wrapped_lines(t: Tracked, *, options: LayoutOptions = DEFAULT_OPTIONS) -> Tracked:
    """Join hard-wrapped lines back into paragraphs, keeping headings and captions apart."""
    t = strip_chunk_numbers(t)
    lines = list(text_lines(t.text))
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
