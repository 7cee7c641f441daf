"""Turn a reader's raw text into clean simplified text that still maps back to the raw text.

``clean()`` runs small steps over a :class:`Tracked` text, in this order:

1. ``normalise_whitespace`` - newlines, invisible characters, odd spaces. First, because
   every later rule works on lines and plain spaces.
2. ``strip_pinyin_glosses`` - "问(wèn)题" -> "问题". Before the t2s step (a gloss splits the
   phrase OpenCC would convert) and before the width step (which would turn "(" next to a
   Han character into "（").
3. ``to_simplified`` - OpenCC t2s, only for texts detected as traditional. Before the
   chrome rules, whose patterns are written in simplified characters.
4. ``normalise_width`` - full-width letters/digits to ASCII, ASCII , : ; ? ! ( ) touching
   Chinese to full-width. Before the line rules so "－ ５ －" and "当前位置:" match one form.
5. ``drop_lines`` - site chrome, page numbers, running headers, URL-only lines; page breaks
   ("\\f") become newlines. Reads the title hint off chrome. Needs the "\\f" page breaks,
   so it runs before anything joins lines.
6. ``remove_urls`` then ``squeeze_cjk_spaces`` - inline URLs, then the spaces PDFs put
   between Chinese characters (including those a removed URL leaves behind).
7. layout (``split_run_on``, ``rejoin_wrapped_lines``) - needs lines free of furniture,
   otherwise a page number would be glued into a paragraph.
8. ``tidy_lines`` - line-edge spaces, at most one blank line; then captions are found on
   the final text.
"""

from __future__ import annotations

import logging
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from pipeline.records import Cleaned
from pipeline.text import patterns as P
from pipeline.text.layout import (
    LayoutOptions,
    find_captions,
    rejoin_wrapped_lines,
    split_run_on,
)
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


# --- 1. whitespace ---------------------------------------------------------------


def normalise_whitespace(t: Tracked) -> Tracked:
    """Unify newlines to "\\n", drop zero-width characters/BOM, turn odd spaces into " "."""
    t = t.sub(P.RE_NEWLINE, "\n")
    t = t.sub(P.RE_INVISIBLE, "")
    t = t.sub(P.RE_ODD_SPACE, " ")
    return t.sub(P.RE_INNER_IDEOGRAPHIC_SPACE, " ")


# --- 2. pinyin glosses ---------------------------------------------------------------


def strip_pinyin_glosses(t: Tracked) -> Tracked:
    """Remove pinyin glosses web converters insert: "问(wèn)题" -> "问题"."""
    return t.sub(P.RE_PINYIN_GLOSS, "")


# --- 3. script -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: loading the dictionaries costs ~50 ms

    return opencc.OpenCC("t2s")


def is_traditional(text: str, *, options: CleanOptions = CleanOptions()) -> bool:
    """True when enough Han characters of (a sample of) ``text`` change under OpenCC t2s."""
    sample = text[: options.script_sample_chars]
    han_count = len(P.RE_HAS_HAN.findall(sample))
    if han_count == 0:
        return False
    converted = _t2s().convert(sample)
    changed = sum(1 for a, b in zip(sample, converted, strict=False) if a != b)
    return changed >= options.traditional_min_chars and (
        changed / han_count >= options.traditional_min_ratio
    )


def to_simplified(t: Tracked, *, options: CleanOptions = CleanOptions()) -> tuple[Tracked, str]:
    """Convert traditional text to simplified; return it with the original script's name.

    Simplified text is left alone: t2s is not the identity on it (it rewrites some
    characters that are correct in simplified text).
    """
    if not is_traditional(t.text, options=options):
        return t, "simplified"
    return t.map_chars(_t2s().convert), "traditional"


# --- 4. width ---------------------------------------------------------------------------


def _paren_pair_to_full(match) -> str:
    inner = match.group(1)
    text = match.string
    before = text[match.start() - 1] if match.start() > 0 else ""
    after = text[match.end()] if match.end() < len(text) else ""
    touches_cjk = bool(P.RE_CJK_EDGE.match(before) or P.RE_CJK_EDGE.match(after))
    if P.RE_HAS_HAN.search(inner) or touches_cjk:
        return f"（{inner}）"
    return match.group(0)


def normalise_width(t: Tracked) -> Tracked:
    """ＡＢＣ１２３ -> ABC123; ASCII , : ; ? ! ( ) touching Chinese -> ，：；？！（）.

    Chinese punctuation stays full-width (sentence splitting and heading markers rely on
    。；（一）); decimals, times, URLs and ASCII-only runs are not touched.
    """
    t = t.map_chars(lambda s: s.translate(P.FULLWIDTH_ALNUM_TABLE))
    t = t.sub(P.RE_FULLWIDTH_DECIMAL, ".")
    t = t.sub(P.RE_ASCII_PAREN_PAIR, _paren_pair_to_full)
    t = t.sub(P.RE_LONE_PAREN_NEAR_CJK, lambda m: m.group(0).translate(P.HALF_TO_FULL_PUNCT_TABLE))
    return t.sub(
        P.RE_ASCII_PUNCT_NEAR_CJK, lambda m: m.group(0).translate(P.HALF_TO_FULL_PUNCT_TABLE)
    )


def squeeze_cjk_spaces(t: Tracked, *, options: CleanOptions = CleanOptions()) -> Tracked:
    """Drop spaces between Chinese characters/digits in body lines: "等 8 个乡镇" -> "等8个乡镇".

    Short lines, and lines made only of 1-3 character tokens, keep them: there the
    spaces separate names ("雷 智  刘 林").
    """
    text = t.text
    newlines = [m.start() for m in P.RE_NEWLINE_CHAR.finditer(text)]
    edits: list[Edit] = []
    keep_line: dict[int, bool] = {}
    for match in P.RE_CJK_SPACE.finditer(text):
        line_no = bisect_right(newlines, match.start())
        if line_no not in keep_line:
            line_start = newlines[line_no - 1] + 1 if line_no else 0
            line_end = newlines[line_no] if line_no < len(newlines) else len(text)
            line = text[line_start:line_end].strip()
            keep_line[line_no] = len(line) <= options.cjk_space_min_line_len or all(
                len(token) <= 3 for token in line.split()
            )
        if not keep_line[line_no]:
            edits.append((match.start(), match.end(), ""))
    return t.edit(edits) if edits else t


# --- 5. lines -----------------------------------------------------------------------------


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


def title_hint_from(line: str, reason: str) -> str | None:
    """A title read off a chrome line: "本文标题:X" -> X, a breadcrumb's last item."""
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
            hint = title_hint_from(line.text, reason)
            if hint:
                hints.setdefault(reason, hint)
    return dropped, hints.get("title") or hints.get("breadcrumb")


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


# --- 6. URLs ---------------------------------------------------------------------------------


def _url_trailing(match) -> str:
    trailing = P.RE_URL_TRAILING.search(match.group(0))
    return trailing.group(0) if trailing else ""


def remove_urls(t: Tracked) -> tuple[Tracked, list[str]]:
    """Remove inline URLs ("见https://a.cn/x 。" -> "见 。"), keeping sentence punctuation."""
    urls = [m.group(0) for m in P.RE_URL.finditer(t.text)]
    return (t.sub(P.RE_URL, _url_trailing), urls) if urls else (t, [])


# --- 8. tidy -----------------------------------------------------------------------------------


def tidy_lines(t: Tracked) -> Tracked:
    """Strip spaces at line edges, keep at most one blank line, trim the text's ends."""
    t = t.sub(P.RE_LINE_EDGE_SPACE, "")
    t = t.sub(P.RE_MANY_NEWLINES, "\n\n")
    start = len(t.text) - len(t.text.lstrip())
    end = len(t.text.rstrip())
    edits = [edit for edit in ((0, start, ""), (end, len(t.text), "")) if edit[0] < edit[1]]
    return t.edit(edits) if edits else t


def _apply_layout(t: Tracked, title_hint: str | None, layout: LayoutOptions | None) -> Tracked:
    layout = layout if layout is not None else LayoutOptions()
    # split_run_on only touches very long lines (LayoutOptions.run_on_min_chars) and a
    # title glued to the first sentence, so it is safe to call on every text.
    t = split_run_on(t, title_hint=title_hint, options=layout)
    return rejoin_wrapped_lines(t, options=layout)


def _sample(lines: list[str], options: CleanOptions) -> tuple[str, ...]:
    return tuple(line[: options.removed_sample_chars] for line in lines)[
        : options.removed_sample_size
    ]


def clean(
    raw: str,
    *,
    options: CleanOptions = CleanOptions(),
    layout: LayoutOptions | None = None,
    title_hint: str | None = None,
) -> Cleaned:
    """Clean a reader's raw text into simplified paragraphs with offsets back to ``raw``.

    ``title_hint`` is a title known from outside the text (a web page's <title>); a
    title read off site chrome in the text (本文标题：…) takes precedence.
    """
    t = normalise_whitespace(Tracked.from_raw(raw))
    t = strip_pinyin_glosses(t)
    t, script = to_simplified(t, options=options)
    t = normalise_width(t)
    t, chrome_title, removed = drop_lines(t, options=options)
    title_hint = chrome_title or title_hint
    t, urls = remove_urls(t)
    t = squeeze_cjk_spaces(t, options=options)
    t = _apply_layout(t, title_hint, layout)
    # again after rejoining: a wrapped line was too short to squeeze on its own ("96 人。")
    t = squeeze_cjk_spaces(t, options=options)
    t = tidy_lines(t)
    captions = find_captions(t.text, options=layout if layout is not None else LayoutOptions())
    return Cleaned(
        text=t.text,
        offsets=t.offsets,
        script=script,
        captions=captions,
        removed=_sample(removed + urls, options),
        title_hint=title_hint,
    )


__all__ = [
    "CleanOptions",
    "clean",
    "classify_lines",
    "collapse_breaks",
    "chrome_reason",
    "drop_lines",
    "is_traditional",
    "normalise_whitespace",
    "normalise_width",
    "page_number_reason",
    "remove_urls",
    "running_header_keys",
    "squeeze_cjk_spaces",
    "strip_pinyin_glosses",
    "tidy_lines",
    "title_hint_from",
    "to_simplified",
]
