"""Word .docx reading: zip-bomb guard, body text in reading order, list numbers rendered.

Chinese reports often number their headings with Word's automatic numbering
("一、", "（一）", "1.") which lives in numbering.xml, not in the paragraph text;
without rendering it the structure stage would see headings with no markers.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.oxml.ns import qn
from lxml import etree

from pipeline.readers.common import DEFAULT_OPTIONS, MB, ReadError, ReadOptions, human_size
from pipeline.text.vocab import CN_DIGITS

log = logging.getLogger(__name__)

W_P, W_TBL, W_SDT = qn("w:p"), qn("w:tbl"), qn("w:sdt")
W_TR, W_TC, W_VAL = qn("w:tr"), qn("w:tc"), qn("w:val")
NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
# Text, tabs and breaks inside runs, at any depth (w:ins, w:hyperlink, w:smartTag…);
# w:tab elements in pPr/w:tabs are tab stops, not characters, and are not matched.
RUN_CONTENT = etree.XPath(".//w:r/w:t|.//w:r/w:tab|.//w:r/w:br|.//w:r/w:cr", namespaces=NS)
# Styles that carry numbering (a "标题 1" numbered 一、), picked out by lxml: Word's own
# template defines ~160 styles, and visiting each in Python took about 2 ms a file.
NUMBERED_STYLES = etree.XPath(".//w:style[w:pPr/w:numPr]", namespaces=NS)
# Containers whose runs are not part of the paragraph's visible text (or duplicate it).
SKIP_ANCESTOR_TAGS = frozenset(
    {
        qn("w:txbxContent"),  # text boxes: floating sidebars, not paragraph text
        qn("w:moveFrom"),  # tracked move source; the text also appears at w:moveTo
        qn("w:del"),
        "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback",
    }
)
# w:numFmt="ideographTraditional" counts with the heavenly stems: 甲、乙、丙…
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
CIRCLED_DIGITS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
ROMAN_TABLE = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def check_zip(path: Path, *, options: ReadOptions = DEFAULT_OPTIONS) -> None:
    """Reject a zip that is not a .docx or would inflate past the caps, before opening it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(f"damaged docx: {exc}") from None
    names = {m.filename for m in members}
    if "word/document.xml" not in names:
        raise ReadError(describe_other_zip(names))
    total = sum(m.file_size for m in members)
    if total > options.max_docx_uncompressed_bytes:
        raise ReadError(
            f"docx rejected: uncompressed size {human_size(total)} exceeds limit "
            f"{human_size(options.max_docx_uncompressed_bytes)} (zip bomb?)"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MB and ratio > options.max_docx_ratio:
            raise ReadError(
                f"docx rejected: {member.filename} compresses {ratio:.0f}:1 "
                f"(limit {options.max_docx_ratio:.0f}:1, zip bomb?)"
            )


def describe_other_zip(names: set[str]) -> str:
    """A reason naming what kind of zip this is when it is not a Word document."""
    if "xl/workbook.xml" in names:
        return "Excel .xlsx spreadsheet is not supported"
    if "ppt/presentation.xml" in names:
        return "PowerPoint .pptx is not supported"
    if "content.xml" in names and "mimetype" in names:
        return "OpenDocument file is not supported; save as .docx"
    return "zip archive is not a .docx document"


def read_docx(path: Path, *, options: ReadOptions = DEFAULT_OPTIONS) -> tuple[str, tuple[str, ...]]:
    """Return the body text of a .docx (paragraphs and table rows, in order) and warnings."""
    check_zip(path, options=options)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many types on malformed parts
        raise ReadError(f"damaged docx: {type(exc).__name__}: {exc}") from None
    numbering = ListNumbering(document)
    lines = []
    for element in iter_block_elements(document.element.body):
        if element.tag == W_P:
            lines.append(numbering.label(element) + paragraph_text(element))
        else:
            lines.extend(table_lines(element))
    text = "\n".join(lines)
    if not text.strip():
        raise ReadError("docx has no text")
    return text, ()


def iter_block_elements(container: etree._Element) -> Iterator[etree._Element]:
    """Yield w:p and w:tbl children in reading order, looking inside content controls."""
    for child in container:
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag == W_SDT:
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from iter_block_elements(content)


def paragraph_text(p: etree._Element) -> str:
    """Visible text of one paragraph, including inserted and hyperlinked runs."""
    parts = []
    for node in RUN_CONTENT(p):
        if skipped(node, p):
            continue
        tag = etree.QName(node).localname
        if tag == "t":
            parts.append(node.text or "")
        elif tag == "tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def skipped(node: etree._Element, stop: etree._Element) -> bool:
    """True when ``node`` sits in a text box, a deletion or a compatibility fallback."""
    parent = node.getparent()
    while parent is not None and parent is not stop:
        if parent.tag in SKIP_ANCESTOR_TAGS:
            return True
        parent = parent.getparent()
    return False


def table_lines(tbl: etree._Element) -> list[str]:
    """One line per table row, cells joined by a tab; merged cells appear once."""
    lines = []
    for row in tbl.iter(W_TR):
        if row.getparent() is not tbl:
            continue  # rows of nested tables are folded into their cell's text
        cells = [cell_text(tc) for tc in row.iter(W_TC) if tc.getparent() is row]
        if any(cells):
            lines.append("\t".join(cells))
    return lines


def cell_text(tc: etree._Element) -> str:
    """A table cell's paragraphs (and nested tables) flattened to one line."""
    pieces = [paragraph_text(p) for p in tc.iter(W_P)]
    return " ".join(piece.strip() for piece in pieces if piece.strip())


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return CN_DIGITS[0]
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        if not rest:
            tail = ""
        elif rest < 10:
            tail = "零" + CN_DIGITS[rest]
        else:  # 110 is 一百一十, not 一百十
            tail = ("一" if rest < 20 else "") + chinese_number(rest)
        return CN_DIGITS[n // 100] + "百" + tail
    return str(n)


def roman(n: int) -> str:
    """4 → IV."""
    out = []
    for value, letters in ROMAN_TABLE:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def letters(n: int) -> str:
    """1 → A, 27 → AA (Word repeats the letter)."""
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


# w:numFmt value → how a counter is written.
NUM_FORMAT_TABLE = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(d) + 0xFEE0) for d in str(n)),
    "chineseCounting": chinese_number,
    "chineseCountingThousand": chinese_number,
    "chineseLegalSimplified": chinese_number,
    "japaneseCounting": chinese_number,
    "taiwaneseCounting": chinese_number,
    "ideographDigital": lambda n: "".join(CN_DIGITS[int(d)] for d in str(n)),
    "ideographTraditional": lambda n: HEAVENLY_STEMS[(n - 1) % 10],
    "decimalEnclosedCircle": lambda n: CIRCLED_DIGITS[n - 1] if 0 < n <= 20 else str(n),
    "decimalEnclosedCircleChinese": lambda n: CIRCLED_DIGITS[n - 1] if 0 < n <= 20 else str(n),
    "upperLetter": letters,
    "lowerLetter": lambda n: letters(n).lower(),
    "upperRoman": roman,
    "lowerRoman": lambda n: roman(n).lower(),
}


class ListNumbering:
    """Renders Word's automatic list labels ("一、", "（二）", "3.") as paragraphs go by."""

    def __init__(self, document: docx.document.Document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # abstract id → levels
        self.num_to_abstract: dict[str, str] = {}
        self.starts: dict[tuple[str, int], int] = {}  # (numId, ilvl) → startOverride
        self.counters: dict[str, list[int]] = {}  # abstract id → counter per level
        self.seen_nums: set[str] = set()
        self.style_numpr: dict[str, tuple[str, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return  # no numbering part: nothing is auto-numbered
        self.load(root)
        self.load_styles(document)

    def load(self, root: etree._Element) -> None:
        """Read abstract list definitions and num → abstract links."""
        for abstract in root.iter(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.iter(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    child_val(lvl, "w:numFmt") or "decimal",
                    child_val(lvl, "w:lvlText") or "",
                    int(child_val(lvl, "w:start") or "1"),
                )
            self.levels[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.iter(qn("w:num")):
            num_id = num.get(qn("w:numId"))
            self.num_to_abstract[num_id] = child_val(num, "w:abstractNumId") or ""
            for override in num.iter(qn("w:lvlOverride")):
                start = child_val(override, "w:startOverride")
                if start is not None:
                    self.starts[(num_id, int(override.get(qn("w:ilvl"), "0")))] = int(start)

    def load_styles(self, document: docx.document.Document) -> None:
        """Remember paragraph styles that carry numbering (e.g. a '标题 1' with 一、)."""
        for style in NUMBERED_STYLES(document.styles.element):
            numpr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if child_val(numpr, "w:numId"):
                level = int(child_val(numpr, "w:ilvl") or "0")
                self.style_numpr[style.get(qn("w:styleId"))] = (child_val(numpr, "w:numId"), level)

    def label(self, p: etree._Element) -> str:
        """The label Word would show before paragraph ``p``, or ''."""
        found = self.numpr(p)
        if found is None:
            return ""
        num_id, ilvl = found
        abstract = self.num_to_abstract.get(num_id)
        levels = self.levels.get(abstract or "", {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract, [0] * 10)
        if num_id not in self.seen_nums:
            self.seen_nums.add(num_id)
            for (override_num, level), start in self.starts.items():
                if override_num == num_id:
                    counters[level] = start - 1
        fmt, text, start = levels[ilvl]
        counters[ilvl] = max(counters[ilvl], start - 1) + 1
        for deeper in range(ilvl + 1, len(counters)):
            counters[deeper] = 0
        if fmt in ("bullet", "none"):
            return ""
        for level in range(9):
            if f"%{level + 1}" in text:
                lvl_fmt, _, lvl_start = levels.get(level, ("decimal", "", 1))
                value = counters[level] or lvl_start
                render = NUM_FORMAT_TABLE.get(fmt if level == ilvl else lvl_fmt, str)
                text = text.replace(f"%{level + 1}", render(value))
        # Word puts a tab after the label; keep one space unless the label ends in 、．）
        return text if not text or not text[-1].isascii() else text + " "

    def numpr(self, p: etree._Element) -> tuple[str, int] | None:
        """(numId, ilvl) from the paragraph's own w:numPr or its style's."""
        ppr = p.find(qn("w:pPr"))
        numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if numpr is not None:
            num_id = child_val(numpr, "w:numId")
            if num_id == "0":
                return None  # explicit "no numbering" overriding the style
            if num_id:
                return num_id, int(child_val(numpr, "w:ilvl") or "0")
        style = ppr.find(qn("w:pStyle")) if ppr is not None else None
        if style is not None:
            return self.style_numpr.get(style.get(W_VAL))
        return None


def child_val(element: etree._Element, tag: str) -> str | None:
    """The w:val attribute of ``element``'s first ``tag`` child, or None."""
    child = element.find(qn(tag))
    return child.get(W_VAL) if child is not None else None
