"""Structure parser: headings, their hierarchy and inline enumerations of a cleaned report.

Units are headings (numbered, or short unnumbered lines such as 基本情况), part
markers (【篇1】, kind ``part``) and enumeration items inside paragraphs (一是… /
第一，… / 首先… / 其一… / 一方面…, kind ``enum``). Body paragraphs are not units: a
paragraph belongs to the nearest heading above it, and that heading's span covers it.

Nesting is learnt per document, not from a fixed table of styles:

* a marker whose number continues a sequence open above (二、 after 一、, or 2. after
  1.) closes everything below that sequence and becomes its sibling;
* a marker numbered 1 of a style already open restarts that style at its own level;
* otherwise a marker numbered 1 (or a style met for the first time) nests under the
  heading before it — so "1." can sit under 一、 in one section and under （一） in
  the next;
* a numbered line that continues nothing is a false marker unless it is a short
  standalone line (then it opens a new sequence whose first item was lost).

``level`` is the depth in the tree (1 = top). A table of contents (a run of short
marker lines later repeated in the body) is dropped before any of this. Inline
enumerations are found by :mod:`pipeline.text.enums` inside each heading's paragraphs.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from pipeline.records import UnitSpan
from pipeline.text import outline_patterns as pat
from pipeline.text.enums import find_enum_items, trim_end

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


@dataclass
class _Node:
    start: int
    end: int
    level: int
    marker: str
    headline: str
    kind: str
    parent: _Node | None = None
    body_start: int = 0  # where the heading's own paragraph text starts


@dataclass(frozen=True)
class _Open:
    """A heading whose numbering sequence is still open."""

    node: _Node
    marker: Marker

    @property
    def style(self) -> str:
        return self.marker.style


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
    headings, heading_at_line, consumed = _build_headings(lines, markers, options)
    _set_heading_ends(text, headings)
    blocks = _body_blocks(text, lines, heading_at_line, toc | consumed)
    enums = _enum_nodes(text, blocks, options)
    return _to_spans(headings + enums)


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
        return Marker("part", "part", pat.cn_to_int(numeral), part.group().strip(), part.end())
    if pat.RE_CAPTION.match(line) or pat.RE_TABLE_ROW.search(line):
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
    bare = pat.RE_AR_BARE.match(line)
    if bare and len(line) <= 30 and not pat.RE_SENTENCE_END.search(line):
        return Marker("ar_bare", "ar", int(bare.group(1)), bare.group(1), bare.end())
    return None


AR_PUNCT_TABLE = {".": "dot", "．": "dot", "、": "dun", "）": "rparen", ")": "rparen"}


def _marker_from_match(style: str, match) -> Marker:
    written = match.group().strip()
    if style == "chapter":
        number = pat.cn_to_int(match.group(1))
        return Marker(f"chapter_{match.group(2)}", "chapter", number, written, match.end())
    if style == "decimal":
        parts = tuple(int(p) for p in match.group(1).replace("．", ".").split("."))
        style = f"decimal{len(parts)}"
        return Marker(style, "decimal", parts[-1], written, match.end(), parts[:-1])
    if style == "cn_dun":
        kind = "dun" if match.group(2) == "、" else "dot"
        return Marker(f"cn_{kind}", "cn", pat.cn_to_int(match.group(1)), written, match.end())
    if style in ("cn_paren", "ar_paren"):
        numeral = match.group(1)
        number = pat.cn_to_int(numeral) if numeral else pat.enclosed_to_int(match.group(2))
        return Marker(style, style, number, written, match.end())
    if style == "circled":
        return Marker(style, style, pat.enclosed_to_int(match.group(1)), written, match.end())
    if style == "word":  # 短板一： — each word is its own sequence
        number = pat.cn_to_int(match.group(2))
        style = f"word_{match.group(1)}"
        return Marker(style, style, number, written, match.end())
    kind = AR_PUNCT_TABLE[match.group(2)]
    return Marker(f"ar_{kind}", "ar", int(match.group(1)), written, match.end())


def _is_sentence_like(text: str, max_chars: int) -> bool:
    return bool(pat.RE_SENTENCE_END.search(text)) or len(text) > max_chars


def _looks_like_plain_heading(text: str, options: OutlineOptions) -> bool:
    if not 2 <= len(text) <= options.max_plain_heading_chars or not pat.RE_HAS_CJK.search(text):
        return False
    if pat.RE_SENTENCE_END.search(text) or text[-1] in "，,、）)":
        return False
    if text[-1] in "：:" and not pat.RE_PLAIN_KEYWORD.search(text):
        return False  # a lead-in such as 具体如下：
    rejects = (pat.RE_CAPTION, pat.RE_DATE_LINE, pat.RE_TITLE_LIKE, pat.RE_AUTHOR_LINE)
    return not any(regex.search(text) for regex in rejects)


def find_plain_headings(lines, markers, skip: set[int], options: OutlineOptions) -> set[int]:
    """Indices of short unnumbered lines that head the body text after them."""
    limit = options.max_plain_heading_chars
    first_body = next(
        (i for i, line in enumerate(lines) if _is_sentence_like(line.text, limit)), len(lines)
    )
    found: list[tuple[int, bool]] = []
    for i, line in enumerate(lines[:-1]):
        if i == 0 or i in skip or markers[i] is not None:
            continue
        if not _looks_like_plain_heading(line.text, options):
            continue
        after, before = lines[i + 1].text, lines[i - 1].text
        if not (markers[i + 1] is not None or _is_sentence_like(after, limit)):
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
    end = pat.RE_HEADLINE_END.search(text)
    text = text[: end.start()] if end else text
    text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).rstrip("：:，,、")


def find_toc(lines, markers, options: OutlineOptions) -> set[int]:
    """Indices of table-of-contents lines: a run of short heading lines repeated later."""
    short = 2 * options.max_standalone_heading_chars  # longer lines are never TOC entries
    keys = [
        _toc_key(line.text, marker) if len(line.text) <= short else None
        for line, marker in zip(lines, markers, strict=True)
    ]
    last_seen = {key: i for i, key in enumerate(keys) if key}

    def shaped(i: int) -> bool:
        if keys[i] is None or pat.RE_SENTENCE_END.search(lines[i].text):
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


def _run_in_enum_start(sentence: str, line_rest: str) -> int | None:
    """Where a first item runs straight into the heading: 存在问题一是… (二是 follows)."""
    for regex in (pat.RE_ENUM_CN, pat.RE_ENUM_DI):
        for match in regex.finditer(sentence, 2):
            if match.group(1) != "一":
                continue  # only a first item (一是 / 第一，) can start the body
            second = "第二" if regex is pat.RE_ENUM_DI else "二" + match.group(2)
            if second in line_rest[match.end() :]:
                return match.start()
    return None


GLUED_TITLE_MIN_CHARS = 24  # a first sentence longer than this may hide a glued section title


def _headline(line: Line, rest: int) -> tuple[str, int]:
    """First sentence after the marker, and the offset where the paragraph goes on."""
    text = line.text[rest:]
    end = pat.RE_HEADLINE_END.search(text)
    cut, resume = (end.start(), end.end()) if end else (len(text), len(text))
    run_in = _run_in_enum_start(text[:cut], text)
    if run_in is not None:
        cut = resume = run_in
    elif cut > GLUED_TITLE_MIN_CHARS:
        glued = pat.RE_GLUED_SECTION_TITLE.match(text)
        if glued:  # "基本情况湄潭县是…": a section title glued to its paragraph
            cut = resume = glued.end()
    return text[:cut].strip().rstrip("：:，,、"), line.start + rest + resume


def _root_depth(stack: list[_Open]) -> int:
    return 1 if stack and stack[0].marker.style == "part" else 0


def _continues(stack: list[_Open], marker: Marker, skip: int) -> int | None:
    """Stack depth of the open sequence this number continues, innermost exact match first."""
    for gap in range(skip + 1):
        for by_family in (False, True):
            for depth in range(len(stack) - 1, -1, -1):
                open_ = stack[depth]
                other = open_.marker
                same = other.family == marker.family if by_family else other.style == marker.style
                if not same or other.number is None or other.prefix != marker.prefix:
                    continue
                if marker.number == other.number + 1 + gap:
                    return depth
    return None


def _place(stack: list[_Open], marker: Marker, line: Line, options: OutlineOptions):
    """Stack depth at which the new heading goes, or None for a false marker."""
    root = _root_depth(stack)
    if marker.style == "plain":
        if pat.RE_PLAIN_TOP.match(line.text):
            return root
        same = [d for d in range(root, len(stack)) if stack[d].style == "plain"]
        return same[-1] if same else len(stack)
    if marker.number == 1:
        same = [d for d in range(root, len(stack)) if stack[d].style == marker.style]
        if same:
            return same[-1]
        rank = pat.STYLE_RANK_TABLE.get(marker.style)
        depth = len(stack)
        if rank is not None:  # 第一章 closes whatever 一、/（一） sections were open
            while depth > root and pat.STYLE_RANK_TABLE.get(stack[depth - 1].style, 9) >= rank:
                depth -= 1
        return depth
    depth = _continues(stack, marker, options.max_number_skip)
    if depth is not None and depth >= root:
        return depth
    text = line.text
    if len(text) <= options.max_standalone_heading_chars and not pat.RE_SENTENCE_END.search(text):
        return len(stack)
    same = [d for d in range(root, len(stack)) if stack[d].style == marker.style]
    if same and _is_run_in_heading(text[marker.rest :], options):
        return same[-1]  # "（三）…" written before "（二）…": misnumbered, still a sibling
    return None


def _is_run_in_heading(rest: str, options: OutlineOptions) -> bool:
    """A short first sentence ending in 。 followed by body text: "加强基础设施建设。近两年…"."""
    first_end = rest.find("。")
    return 0 < first_end <= options.max_standalone_heading_chars and len(rest) > first_end + 1


def _build_headings(lines, markers, options: OutlineOptions):
    nodes: list[_Node] = []
    at_line: dict[int, _Node] = {}
    consumed: set[int] = set()
    stack: list[_Open] = []
    for i, (line, marker) in enumerate(zip(lines, markers, strict=True)):
        if marker is None or i in consumed:
            continue
        if marker.style == "part":
            depth = 0
            headline, body_start = _headline(line, marker.rest)
            if not headline and i + 1 < len(lines) and not _is_sentence_like(lines[i + 1].text, 40):
                headline, body_start = lines[i + 1].text, lines[i + 1].end
                consumed.add(i + 1)
            kind = "part"
        else:
            depth = _place(stack, marker, line, options)
            if depth is None:
                log.debug("not a heading (continues no sequence): %s", line.text[:20])
                continue
            headline, body_start = _headline(line, marker.rest)
            kind = "heading"
        parent = stack[depth - 1].node if depth else None
        level = parent.level + 1 if parent else 1
        node = _Node(line.start, line.end, level, marker.written, headline, kind, parent)
        node.body_start = body_start
        stack = stack[:depth] + [_Open(node, marker)]
        nodes.append(node)
        at_line[i] = node
    return nodes, at_line, consumed


def _set_heading_ends(text: str, headings: list[_Node]) -> None:
    """A heading runs until the next heading of its level or above (document order is preorder)."""
    for k, node in enumerate(headings):
        nxt = next((h.start for h in headings[k + 1 :] if h.level <= node.level), len(text))
        node.end = trim_end(text, node.start, nxt)


def _body_blocks(text: str, lines, heading_at_line, skip: set[int]) -> list[Block]:
    """Paragraph segments under each heading (or before the first one), for enumerations."""
    blocks: list[Block] = []
    owner: _Node | None = None
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


# ---- inline enumerations -----------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """The body paragraphs that belong to one heading (or to the text before any)."""

    owner: _Node | None
    segments: tuple[tuple[int, int], ...]  # (start, end) of each paragraph


def _enum_nodes(text: str, blocks: list[Block], options: OutlineOptions) -> list[_Node]:
    nodes: list[_Node] = []
    for block in blocks:
        made: list[_Node] = []
        for item in find_enum_items(text, block.segments, lone_items=options.lone_enum_items):
            parent = made[item.parent] if item.parent is not None else block.owner
            level = parent.level + 1 if parent else 1
            node = _Node(item.start, item.end, level, item.marker, item.headline, "enum", parent)
            made.append(node)
        nodes.extend(made)
    return nodes


def _to_spans(nodes: list[_Node]) -> list[UnitSpan]:
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
