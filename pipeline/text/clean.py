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
5. ``drop_lines`` (:mod:`pipeline.text.chrome`) - site chrome, page numbers, running
   headers, URL-only lines; page breaks ("\\f") become newlines. Reads the title hint off
   chrome. Needs the "\\f" page breaks, so it runs before anything joins lines.
6. ``remove_urls`` then ``squeeze_cjk_spaces`` - inline URLs, then the spaces PDFs put
   between Chinese characters (including those a removed URL leaves behind).
7. layout (``split_run_on``, then ``rejoin_wrapped_lines`` of :mod:`pipeline.text.wrap`) -
   needs lines free of furniture,
   otherwise a page number would be glued into a paragraph.
8. ``tidy_lines`` - line-edge spaces, at most one blank line; then captions are found on
   the final text.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

from pipeline.records import Cleaned
from pipeline.text import patterns as P
from pipeline.text.chrome import DEFAULT_CLEAN_OPTIONS, CleanOptions, drop_lines
from pipeline.text.layout import LayoutOptions, find_captions, split_run_on
from pipeline.text.tracked import Edit, Tracked
from pipeline.text.wrap import rejoin_wrapped_lines

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


def is_traditional(text: str, *, options: CleanOptions = DEFAULT_CLEAN_OPTIONS) -> bool:
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


def to_simplified(
    t: Tracked, *, options: CleanOptions = DEFAULT_CLEAN_OPTIONS
) -> tuple[Tracked, str]:
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


def squeeze_cjk_spaces(t: Tracked, *, options: CleanOptions = DEFAULT_CLEAN_OPTIONS) -> Tracked:
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


# --- 5. lines: drop_lines in pipeline.text.chrome ---------------------------------------------


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
    options: CleanOptions = DEFAULT_CLEAN_OPTIONS,
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
    "is_traditional",
    "normalise_whitespace",
    "normalise_width",
    "remove_urls",
    "squeeze_cjk_spaces",
    "strip_pinyin_glosses",
    "tidy_lines",
    "to_simplified",
]
