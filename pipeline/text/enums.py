"""Inline enumerations inside a paragraph: 一是…二是…, 一要…, 第一，…, 首先…其次…, 其一…, ①….

Items must come in sequence (一是 then 二是 …) and a cue must start a clause; a lone
一是 counts only at the start of a paragraph or right after a colon (a list cut short).
Different families nest (首先… inside 一要…). The structure parser (``outline``) turns
the items into child units.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.text import outline_patterns as pat
from pipeline.text.vocab import RE_SENTENCE_END_CHAR, cn_to_int, enclosed_to_int


@dataclass(frozen=True)
class _Cue:
    start: int
    end: int
    family: str  # cn_是, cn_要, di, qi, side, circled, paren
    ordinal: int
    written: str
    para_start: bool  # at a paragraph start, or right after its lead-in's colon
    para_end: int


@dataclass(frozen=True)
class EnumItem:
    """One enumeration item; ``parent`` indexes an earlier item of the same block."""

    start: int
    end: int
    marker: str
    headline: str
    parent: int | None


ENUM_CUE_TABLE = (
    ("cn", pat.RE_ENUM_CN),
    ("di", pat.RE_ENUM_DI),
    ("qi", pat.RE_ENUM_QI),
    ("side", pat.RE_ENUM_SIDE),
    ("circled", pat.RE_ENUM_CIRCLED),
    ("paren", pat.RE_ENUM_PAREN),
)


def _cue_identity(name: str, match) -> tuple[str, int | None, str]:
    """Family, ordinal and written marker of an enumeration cue."""
    written = match.group()
    if name == "cn":
        return f"cn_{match.group(2)}", cn_to_int(match.group(1)), written
    if name == "di":
        if match.group(1):
            return "di", cn_to_int(match.group(1)), written  # 第一， keeps its comma
        word = match.group(2) or match.group(3)
        return "di", pat.DI_WORD_TABLE[word], word
    if name == "qi":
        return "qi", cn_to_int(match.group(1)), written
    if name == "side":
        return "side", 2 if match.group(1) else 1, written.rstrip("，,")
    if name == "circled":
        return "circled", enclosed_to_int(match.group(1)), written
    return "paren", int(match.group(1)), written


def _find_cues(text: str, seg_start: int, seg_end: int) -> list[_Cue]:
    """Enumeration cues that start a clause inside one paragraph."""
    para = text[seg_start:seg_end]
    found: dict[int, _Cue] = {}
    for name, regex in ENUM_CUE_TABLE:
        for match in regex.finditer(para):
            family, ordinal, written = _cue_identity(name, match)
            if ordinal is None or match.start() in found:
                continue
            j = match.start() - 1
            while j >= 0 and para[j].isspace():
                j -= 1
            allowed = pat.CLAUSE_BOUNDARY
            if family not in pat.STRICT_ENUM_FAMILIES:
                allowed += pat.COMMA_BOUNDARY
            if j >= 0 and para[j] not in allowed:
                continue  # 统一是 / 位居第一，
            found[match.start()] = _Cue(
                seg_start + match.start(),
                seg_start + match.end(),
                family,
                ordinal,
                written,
                j < 0 or para[j] in "：:",  # "…的特点：一是…" opens a list too
                seg_end,
            )
    return [found[k] for k in sorted(found)]


def _chains(cues: list[_Cue], lone_items: bool) -> list[list[_Cue]]:
    """Runs of cues of one family numbered 1, 2, 3 … (最后 may close a 首先 run)."""
    chains: list[list[_Cue]] = []
    open_by_family: dict[str, list[_Cue]] = {}
    for cue in cues:
        current = open_by_family.get(cue.family)
        if cue.ordinal == 1:
            open_by_family[cue.family] = [cue]
            chains.append(open_by_family[cue.family])
        elif (
            current
            and current[-1].ordinal != pat.ORDINAL_LAST
            and (cue.ordinal == pat.ORDINAL_LAST or cue.ordinal == current[-1].ordinal + 1)
        ):
            current.append(cue)
    return [
        chain
        for chain in chains
        if len(chain) >= 2
        or (lone_items and chain[0].para_start and chain[0].family in pat.LONE_ENUM_FAMILIES)
    ]


def _enum_headline(text: str, cue: _Cue, stop: int) -> str:
    start = cue.end
    while start < stop and text[start] in " \u3000，,、：:":
        start += 1
    end = RE_SENTENCE_END_CHAR.search(text, start, stop)
    return text[start : end.start() if end else stop].strip().rstrip("，,、：:")


def find_enum_items(text: str, segments, *, lone_items: bool = True) -> list[EnumItem]:
    """Enumeration items in a block's paragraphs, outer items before the items nested in them."""
    cues = [cue for start, end in segments for cue in _find_cues(text, start, end)]
    items: list[EnumItem] = []
    for chain in sorted(_chains(cues, lone_items), key=lambda c: c[0].start):
        holders = [k for k, item in enumerate(items) if item.start <= chain[0].start < item.end]
        parent = max(holders, key=lambda k: items[k].start) if holders else None
        limit = items[parent].end if parent is not None else len(text)
        if any(cue.start >= limit for cue in chain):
            continue  # straddles two items of an earlier enumeration
        for k, cue in enumerate(chain):
            nxt = chain[k + 1].start if k + 1 < len(chain) else min(cue.para_end, limit)
            end = trim_end(text, cue.start, nxt)
            headline = _enum_headline(text, cue, min(nxt, cue.para_end))
            items.append(EnumItem(cue.start, end, cue.written, headline, parent))
    return items


def trim_end(text: str, start: int, end: int) -> int:
    """The end of a span with trailing whitespace left out."""
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
