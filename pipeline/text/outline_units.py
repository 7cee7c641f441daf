"""Units inside a heading's text: inline enumerations and paragraph units (with clauses).

Called by :mod:`pipeline.text.outline` once the headings are known: the enumeration
items of each heading's paragraphs (:mod:`pipeline.text.enums`) and the paragraphs that
are units of their own (:mod:`pipeline.text.paragraphs`), nested under their heading.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.text.enums import find_enum_items
from pipeline.text.outline_levels import OutlineNode
from pipeline.text.paragraphs import LineInfo, ParagraphOptions, ParagraphUnit, paragraph_units

if TYPE_CHECKING:
    from pipeline.text.outline import Line

OutlineOptions = Any  # pipeline.text.outline.OutlineOptions (imported there, not here)


# ---- inline enumerations -----------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """The body paragraphs that belong to one heading (or to the text before any)."""

    owner: OutlineNode | None
    segments: tuple[tuple[int, int], ...]  # (start, end) of each paragraph


def enum_nodes(text: str, blocks: list[Block], options: OutlineOptions) -> list[OutlineNode]:
    nodes: list[OutlineNode] = []
    for block in blocks:
        made: list[OutlineNode] = []
        for item in find_enum_items(text, block.segments, lone_items=options.lone_enum_items):
            parent = made[item.parent] if item.parent is not None else block.owner
            level = parent.level + 1 if parent else 1
            made.append(OutlineNode(item.start, item.end, level, item.marker, item.headline,
                                    "enum", parent))
        nodes.extend(made)
    return nodes


# ---- paragraph units -------------------------------------------------------------------


def _paragraph_options(options: OutlineOptions) -> ParagraphOptions:
    return ParagraphOptions(
        max_lead_chars=options.max_lead_chars,
        max_headline_chars=options.max_lead_headline_chars,
        max_lead_line_chars=options.max_lead_line_chars,
        min_lead_share=options.min_lead_share,
        min_lead_paragraphs=options.min_lead_paragraphs,
        max_clause_chars=options.max_clause_chars,
    )


def _line_infos(text: str, lines, heading_at_line, skip: set[int], enums) -> list[LineInfo]:
    enum_starts = sorted(node.start for node in enums)
    parents = {id(node.parent) for node in heading_at_line.values() if node.parent is not None}
    infos = []
    for i, line in enumerate(lines):
        node = heading_at_line.get(i)
        heading = None
        if node is not None:
            heading = "open" if _opens_paragraphs(text, line, node, parents) else "closed"
        first = bisect_left(enum_starts, line.start)
        inside = first < len(enum_starts) and enum_starts[first] < line.end
        led = inside and enum_starts[first] == line.start
        infos.append(LineInfo(line.start, line.end, line.text, heading=heading, enum_led=led,
                              has_enum=inside and not led, skipped=i in skip))
    return infos


def _opens_paragraphs(text: str, line: Line, node: OutlineNode, parents: set[int]) -> bool:
    """Whether the paragraphs right under a heading are units of their own.

    They are when the heading has subheadings (the paragraphs introduce them), and under
    a top-level heading that is only a title ("一、执法检查基本情况"); under a numbered item
    that has no subheadings, or that runs into its own text, they continue that item.
    """
    if node.kind == "part" or id(node) in parents:
        return True
    top = node.parent is None or node.parent.kind == "part"
    titled = node.body_start >= line.end or not text[node.body_start : line.end].strip()
    return top and titled


def paragraph_nodes(text: str, lines, heading_at_line, skip: set[int],
                     enums: list[OutlineNode], options: OutlineOptions) -> list[OutlineNode]:
    """Paragraph units under the heading they sit in, their listed clauses, and the
    enumeration items inside them moved under them."""
    infos = _line_infos(text, lines, heading_at_line, skip, enums)
    found = paragraph_units(infos, _paragraph_options(options))
    if not found:
        return []
    owner_at_line: list[OutlineNode | None] = []
    owner = None
    for i in range(len(lines)):
        owner = heading_at_line.get(i, owner)
        owner_at_line.append(owner)
    nodes: list[OutlineNode] = []
    for unit in found:
        parent = owner_at_line[unit.line]
        node = OutlineNode(unit.start, unit.end, 0, unit.marker, unit.headline, "para", parent)
        nodes.append(node)
        inside = [e for e in enums if unit.start <= e.start and e.end <= unit.end]
        for item in inside:
            if item.parent is parent:
                item.parent = node
        if not inside:
            nodes.extend(_clause_nodes(text, unit, node))
    set_levels(nodes + enums)
    return nodes


def _clause_nodes(text: str, unit: ParagraphUnit, node: OutlineNode) -> list[OutlineNode]:
    return [OutlineNode(start, end, 0, "", headline, "clause", node)
            for start, end, headline in unit.clauses if text[start:end].strip()]


def set_levels(nodes: list[OutlineNode]) -> None:
    """Depth in the tree of nodes whose parents changed (headings keep theirs)."""
    def depth(node: OutlineNode) -> int:
        return 1 if node.parent is None else depth(node.parent) + 1

    for node in nodes:
        node.level = depth(node)
