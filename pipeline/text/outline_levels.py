"""How headings nest: the numbering sequences a document opens and continues.

:func:`build_headings` walks the marker lines of a report (see :mod:`pipeline.text.outline`)
with a stack of open sequences:

* a marker whose number continues a sequence open above (二、 after 一、, or 2. after
  1.) closes everything below that sequence and becomes its sibling;
* a marker numbered 1 of a style already open restarts that style at its own level;
* otherwise a marker numbered 1 (or a style met for the first time) nests under the
  heading before it — so "1." can sit under 一、 in one section and under （一） in
  the next;
* a numbered line that continues nothing is a false marker unless it is a short
  standalone line (then it opens a new sequence whose first item was lost).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.text import outline_patterns as pat
from pipeline.text.enums import trim_end
from pipeline.text.vocab import RE_SENTENCE_END_CHAR

if TYPE_CHECKING:  # outline.py builds on this module; these are only its argument types
    from pipeline.text.outline import Line, Marker, OutlineOptions

log = logging.getLogger(__name__)


@dataclass
class OutlineNode:
    """A heading, part or enumeration item while the outline is built (spans end up here)."""

    start: int
    end: int
    level: int
    marker: str
    headline: str
    kind: str
    parent: OutlineNode | None = None
    body_start: int = 0  # where the heading's own paragraph text starts


@dataclass(frozen=True)
class _Open:
    """A heading whose numbering sequence is still open."""

    node: OutlineNode
    marker: Marker

    @property
    def style(self) -> str:
        return self.marker.style


def is_sentence_like(text: str, max_chars: int) -> bool:
    """Body text rather than a heading: it holds a sentence end or is longer than ``max_chars``."""
    return bool(RE_SENTENCE_END_CHAR.search(text)) or len(text) > max_chars


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
    end = RE_SENTENCE_END_CHAR.search(text)
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
    if len(text) <= options.max_standalone_heading_chars and not RE_SENTENCE_END_CHAR.search(text):
        return len(stack)
    same = [d for d in range(root, len(stack)) if stack[d].style == marker.style]
    if same and _is_run_in_heading(text[marker.rest :], options):
        return same[-1]  # "（三）…" written before "（二）…": misnumbered, still a sibling
    return None


def _is_run_in_heading(rest: str, options: OutlineOptions) -> bool:
    """A short first sentence ending in 。 followed by body text: "加强基础设施建设。近两年…"."""
    first_end = rest.find("。")
    return 0 < first_end <= options.max_standalone_heading_chars and len(rest) > first_end + 1


def build_headings(lines: list[Line], markers: list[Marker | None], options: OutlineOptions):
    """Heading nodes of the marker lines, the node at each line, and lines a part title used."""
    nodes: list[OutlineNode] = []
    at_line: dict[int, OutlineNode] = {}
    consumed: set[int] = set()
    stack: list[_Open] = []
    for i, (line, marker) in enumerate(zip(lines, markers, strict=True)):
        if marker is None or i in consumed:
            continue
        if marker.style == "part":
            depth = 0
            headline, body_start = _headline(line, marker.rest)
            if not headline and i + 1 < len(lines) and not is_sentence_like(lines[i + 1].text, 40):
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
        node = OutlineNode(line.start, line.end, level, marker.written, headline, kind, parent)
        node.body_start = body_start
        stack = stack[:depth] + [_Open(node, marker)]
        nodes.append(node)
        at_line[i] = node
    return nodes, at_line, consumed


def set_heading_ends(text: str, headings: list[OutlineNode]) -> None:
    """A heading runs until the next heading of its level or above (document order is preorder)."""
    for k, node in enumerate(headings):
        nxt = next((h.start for h in headings[k + 1 :] if h.level <= node.level), len(text))
        node.end = trim_end(text, node.start, nxt)
