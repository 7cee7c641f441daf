"""Structure parser: headings, their hierarchy and inline enumerations of a cleaned report.

Units are headings (numbered, or short unnumbered lines such as 基本情况), part
markers (【篇1】, kind ``part``) and enumeration items inside paragraphs (一是… /
第一，… / 首先… / 其一… / 一方面…, kind ``enum``). Body paragraphs are not units: a
paragraph belongs to the nearest heading above it, and that heading's span covers it.

Nesting is learnt per document, not from a fixed table of styles: a marker that
continues an open numbering sequence becomes its sibling, a first marker nests under the
heading before it (:mod:`pipeline.text.outline_levels`).

``level`` is the depth in the tree (1 = top). A table of contents (a run of short
marker lines later repeated in the body) is dropped before any of this. Inline
enumerations are found by :mod:`pipeline.text.enums` inside each heading's paragraphs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pipeline.records import UnitSpan
from pipeline.text import outline_patterns as pat
from pipeline.text.enums import find_enum_items  # noqa: F401  (re-exported for callers)
from pipeline.text.outline_levels import (
    OutlineNode,
    build_headings,
    is_sentence_like,
    set_heading_ends,
)
from pipeline.text.outline_units import Block, enum_nodes, paragraph_nodes
from pipeline.text.vocab import (
    RE_SENTENCE_END_CHAR,
    cn_to_int,
    enclosed_to_int,
    normalise_for_match,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutlineOptions:
    """Tunables of the structure parser."""

    # An unnumbered line this long or shorter, with no sentence end, may be a heading.
    max_plain_heading_chars: int = 24
    # Unnumbered headings without a section keyword (基本情况, 对策建议…) count only
    # when the document has at least this many of them.
    min_plain_headings: int = 2
    # A numbered line that continues no open sequence still counts if it is this short
    # and has no sentence end (a list whose first item was lost in extraction).
    max_standalone_heading_chars: int = 40
    # A number may skip this many values and still continue its sequence (1, 2, 4).
    max_number_skip: int = 1
    # Table of contents: at least this many consecutive short marker lines ...
    toc_min_run: int = 3
    # ... of which at least this share is repeated later as headings.
    toc_min_repeated: float = 0.5
    # A lone 一是 / 一要 at a paragraph start (no 二是 after it) is still an item.
    lone_enum_items: bool = True
    # Body paragraphs that open with a lead phrase, or are not the continuation of a
    # numbered item, are units of their own (kind "para"; see pipeline.text.paragraphs).
    paragraph_units: bool = True
    # A first sentence this short, without a comma, is a lead phrase ("稳外贸稳外资持续加力。").
    max_lead_chars: int = 24
    # A paragraph's headline (its first sentence) is cut at a comma beyond this many characters.
    max_lead_headline_chars: int = 60
    # A line that is one sentence this short heads the paragraph after it ("经济运行持续向好。").
    max_lead_line_chars: int = 30
    # Every body paragraph is a unit when at least this share of them opens with a lead ...
    min_lead_share: float = 0.3
    # ... among at least this many body paragraphs.
    min_lead_paragraphs: int = 4
    # A clause a paragraph lists ("主要是：A；B；C") longer than this is split at its commas.
    max_clause_chars: int = 60
    # Less text to parse than this is parsed in-process; more, on the run's workers
    # (scheduling only: not part of the structure stage's work keys).
    parallel_min_chars: int = 200_000


@dataclass(frozen=True)
class Line:
    """One non-empty line (a paragraph of cleaned text) and where it sits."""

    start: int  # offset of the first non-space character
    end: int  # offset after the last non-space character
    text: str


@dataclass(frozen=True)
class Marker:
    """A heading marker read off the start of a line."""

    style: str  # cn_dun, cn_paren, ar_dot, decimal2, chapter_章, circled, word_短板, plain, part …
    family: str  # cn / ar / decimal / … — styles that may stand in for each other
    number: int | None
    written: str  # the marker as written, e.g. "（二）"
    rest: int  # index in the line where the heading text starts
    prefix: tuple[int, ...] = ()  # 2.1.3 -> (2, 1)


PLAIN = Marker("plain", "plain", None, "", 0)


def parse_outline(
    text: str, *, options: OutlineOptions = OutlineOptions(), title: str | None = None
) -> list[UnitSpan]:
    """Find headings, parts and enumeration items of a cleaned report, in document order.

    ``title`` is the report's title when ingest found it: that line is never a heading.
    """
    lines = split_lines(text)
    markers = [read_marker(line.text) for line in lines]
    toc = find_toc(lines, markers, options)
    markers = [None if i in toc else m for i, m in enumerate(markers)]
    title_lines = {i for i, line in enumerate(lines) if title and line.text == title.strip()}
    plain = find_plain_headings(lines, markers, toc | title_lines, options)
    for i in plain:
        markers[i] = PLAIN
    headings, heading_at_line, consumed = build_headings(lines, markers, options)
    set_heading_ends(text, headings)
    blocks = _body_blocks(text, lines, heading_at_line, toc | consumed)
    enums = enum_nodes(text, blocks, options)
    paragraphs: list[OutlineNode] = []
    if options.paragraph_units:
        skip = toc | consumed | title_lines
        paragraphs = paragraph_nodes(text, lines, heading_at_line, skip, enums, options)
    return _to_spans(headings + paragraphs + enums)


def split_lines(text: str) -> list[Line]:
    """Non-empty lines with the offsets of their stripped content."""
    lines: list[Line] = []
    pos = 0
    for raw in text.split("\n"):
        content = raw.strip()
        if content:
            start = pos + len(raw) - len(raw.lstrip())
            lines.append(Line(start, start + len(content), content))
        pos += len(raw) + 1
    return lines


def read_marker(line: str) -> Marker | None:
    """The heading or part marker at the start of a line, or None for body text."""
    part = pat.RE_PART.match(line)
    if part:
        numeral = part.group("a") or part.group("b") or part.group("c")
        return Marker("part", "part", cn_to_int(numeral), part.group().strip(), part.end())
    if pat.RE_CAPTION_OR_NOTE.match(line) or pat.RE_TABLE_ROW.search(line):
        return None
    marker = _match_style(line)
    if marker is None or marker.number is None:
        return None
    rest = line[marker.rest :]
    if not rest or not pat.RE_TEXTISH.match(rest):
        return None  # "1、2、3、" chunk numbers, "3.5万"
    if marker.family == "cn" and pat.RE_NUMERAL_RUN_AFTER.match(rest):
        return None  # 一、二季度
    if marker.family == "decimal" and pat.RE_QUANTITY_AFTER.match(line[len(marker.written) :]):
        return None  # 1.2万人次
    return marker


def _match_style(line: str) -> Marker | None:
    for style, regex in pat.HEADING_STYLE_TABLE:
        match = regex.match(line)
        if match:
            return _marker_from_match(style, match)
    if len(line) > BARE_MARKER_MAX_CHARS or RE_SENTENCE_END_CHAR.search(line):
        return None
    bare = pat.RE_AR_BARE.match(line)
    if bare:
        return Marker("ar_bare", "ar", int(bare.group(1)), bare.group(1), bare.end())
    bare = pat.RE_CN_BARE.match(line)
    if bare and not pat.RE_LETTER_SPACED.search(line):
        number = cn_to_int(bare.group(1))
        return Marker("cn_bare", "cn", number, bare.group(1), bare.end())
    return None


# "1 基本情况" / "一 调研背景": a number and a space mark a heading only on a line this short
BARE_MARKER_MAX_CHARS = 30


AR_PUNCT_TABLE = {".": "dot", "．": "dot", "、": "dun", "）": "rparen", ")": "rparen"}


def _marker_from_match(style: str, match) -> Marker:
    written = match.group().strip()
    if style == "chapter":
        number = cn_to_int(match.group(1))
        return Marker(f"chapter_{match.group(2)}", "chapter", number, written, match.end())
    if style == "decimal":
        parts = tuple(int(p) for p in match.group(1).replace("．", ".").split("."))
        style = f"decimal{len(parts)}"
        return Marker(style, "decimal", parts[-1], written, match.end(), parts[:-1])
    if style == "cn_dun":
        kind = "dun" if match.group(2) == "、" else "dot"
        return Marker(f"cn_{kind}", "cn", cn_to_int(match.group(1)), written, match.end())
    if style in ("cn_paren", "ar_paren"):
        numeral = match.group(1)
        number = cn_to_int(numeral) if numeral else enclosed_to_int(match.group(2))
        return Marker(style, style, number, written, match.end())
    if style == "circled":
        return Marker(style, style, enclosed_to_int(match.group(1)), written, match.end())
    if style == "word":  # 短板一： — each word is its own sequence
        number = cn_to_int(match.group(2))
        style = f"word_{match.group(1)}"
        return Marker(style, style, number, written, match.end())
    kind = AR_PUNCT_TABLE[match.group(2)]
    return Marker(f"ar_{kind}", "ar", int(match.group(1)), written, match.end())


def _looks_like_plain_heading(text: str, options: OutlineOptions) -> bool:
    if not 2 <= len(text) <= options.max_plain_heading_chars or not pat.RE_HAS_CJK.search(text):
        return False
    if RE_SENTENCE_END_CHAR.search(text) or text[-1] in "，,、）)":
        return False
    if text[-1] in "：:" and not pat.RE_PLAIN_KEYWORD.search(text):
        return False  # a lead-in such as 具体如下：
    rejects = (pat.RE_CAPTION_OR_NOTE, pat.RE_TITLE_LIKE, pat.RE_AUTHOR_LINE)
    return not _is_date_line(text) and not any(regex.search(text) for regex in rejects)


def _is_date_line(text: str) -> bool:
    """A date ("2019年3月", "2018年至2020年"), not a heading that opens with its year
    ("二〇二二年工作回顾", "2026年自治区民生实事")."""
    date = pat.RE_DATE_START.match(text)
    if date is None:
        return False
    rest = text[date.end():]
    return ("月" in date.group() or not pat.RE_HAS_CJK.search(rest) or rest == "度"
            or rest[0] in "至到—-~－")


def find_plain_headings(lines, markers, skip: set[int], options: OutlineOptions) -> set[int]:
    """Indices of short unnumbered lines that head the body text after them."""
    limit = options.max_plain_heading_chars
    first_body = next(
        (i for i, line in enumerate(lines) if is_sentence_like(line.text, limit)), len(lines)
    )
    found: list[tuple[int, bool]] = []
    for i, line in enumerate(lines[:-1]):
        if i == 0 or i in skip or markers[i] is not None:
            continue
        if not _looks_like_plain_heading(line.text, options):
            continue
        after, before = lines[i + 1].text, lines[i - 1].text
        if not (markers[i + 1] is not None or is_sentence_like(after, limit)):
            continue  # a heading is followed by body text or a subheading
        if before[-1] not in "。！？；：”!?;:" and markers[i - 1] is None and i > first_body:
            continue  # probably a fragment of the paragraph above
        keyword = bool(pat.RE_PLAIN_KEYWORD.search(line.text))
        if i < first_body and (not keyword or pat.RE_TITLE_WORDS.search(line.text)):
            continue  # title, subtitle, authors
        found.append((i, keyword))
    if len(found) >= options.min_plain_headings:
        return {i for i, _ in found}
    return {i for i, keyword in found if keyword}


def _toc_key(line: str, marker: Marker | None) -> str:
    text = line[marker.rest :] if marker else line
    text = pat.RE_TOC_TAIL.sub("", text)
    end = RE_SENTENCE_END_CHAR.search(text)
    text = text[: end.start()] if end else text
    return normalise_for_match(text).rstrip("：:，,、")


def find_toc(lines, markers, options: OutlineOptions) -> set[int]:
    """Indices of table-of-contents lines: a run of short heading lines repeated later."""
    short = 2 * options.max_standalone_heading_chars  # longer lines are never TOC entries
    keys = [
        _toc_key(line.text, marker) if len(line.text) <= short else None
        for line, marker in zip(lines, markers, strict=True)
    ]
    last_seen = {key: i for i, key in enumerate(keys) if key}

    def shaped(i: int) -> bool:
        if keys[i] is None or RE_SENTENCE_END_CHAR.search(lines[i].text):
            return False
        if pat.RE_TOC_TITLE.match(lines[i].text):
            return False
        return markers[i] is not None or len(keys[i]) <= options.max_plain_heading_chars

    def run_end(first: int) -> int:
        # the run stops where an entry comes round again: that is the body's heading
        seen: set[str] = set()
        j = first
        while j < len(lines) and shaped(j) and keys[j] not in seen:
            seen.add(keys[j])
            j += 1
        return j

    toc: set[int] = set()
    i = 0
    while i < len(lines):
        titled = bool(pat.RE_TOC_TITLE.match(lines[i].text))
        first = i + 1 if titled else i
        j = run_end(first)
        if j - first >= (2 if titled else options.toc_min_run):
            repeated = sum(1 for k in range(first, j) if last_seen.get(keys[k], -1) >= j)
            if titled or repeated >= options.toc_min_repeated * (j - first):
                toc.update(range(i, j))
                log.debug("dropped a table of contents of %d lines", j - i)
        i = max(j, i + 1)
    return toc


def _body_blocks(text: str, lines, heading_at_line, skip: set[int]) -> list[Block]:
    """Paragraph segments under each heading (or before the first one), for enumerations."""
    blocks: list[Block] = []
    owner: OutlineNode | None = None
    segments: list[tuple[int, int]] = []
    for i, line in enumerate(lines):
        node = heading_at_line.get(i)
        if node is not None:
            if segments:
                blocks.append(Block(owner, tuple(segments)))
            owner, segments = node, []
            start = node.body_start
            while start < line.end and text[start].isspace():
                start += 1
            if start < line.end:
                segments.append((start, line.end))
        elif i not in skip:
            segments.append((line.start, line.end))
    if segments:
        blocks.append(Block(owner, tuple(segments)))
    return blocks


def _to_spans(nodes: list[OutlineNode]) -> list[UnitSpan]:
    ordered = sorted(nodes, key=lambda n: (n.start, n.level))
    index = {id(node): k for k, node in enumerate(ordered)}
    return [
        UnitSpan(
            start=node.start,
            end=node.end,
            level=node.level,
            marker=node.marker,
            headline=node.headline,
            kind=node.kind,
            parent=index[id(node.parent)] if node.parent is not None else None,
        )
        for node in ordered
    ]
