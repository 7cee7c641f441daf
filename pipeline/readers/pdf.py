"""PDF reading with pypdfium2: one text block per page, pages joined by form feeds.

Pages stay separated by "\\f" so cleaning can spot running headers and footers
(页眉/页脚, page numbers) that repeat on every page.

A PDF whose Chinese font is not embedded (reportlab's STSong-Light, for one) is read
with a system font standing in for it, here a 26 MB CJK font collection
(NotoSerifCJK-Regular.ttc). pdfium copies a whole collection into memory before it
consults its font cache, and the cache keeps a font only while an open document uses it,
so every such PDF cost a fresh 26 MB read. :class:`CollectionAsFontFile` makes pdfium
consult the cache first and :data:`FONT_HOLDER` keeps the last document open until the
next one has loaded its pages: the same font bytes and face, so the same text.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path

import pypdfium2 as pdfium

from pipeline.readers.common import DEFAULT_OPTIONS, ReadError, ReadOptions

log = logging.getLogger(__name__)

# PDFium's FPDF_GetLastError codes → the reason we report.
PDFIUM_ERROR_TABLE = {
    1: "damaged PDF: unknown error",
    2: "damaged PDF: file could not be opened",
    3: "damaged PDF: not a PDF or corrupted",
    4: "encrypted PDF",  # a user password is required to open it
    5: "encrypted PDF (unsupported security handler)",
    6: "damaged PDF: page not found or broken",
}
# Private-use code points are what a font without a ToUnicode map extracts as:
# the page "has text" but it reads as  — garbage, not Chinese.
RE_PRIVATE_USE = re.compile(r"[\ue000-\uf8ff\ufffd]")
RE_VISIBLE = re.compile(r"\S")
# pdfium's table tag for "the whole TrueType collection file" ('ttcf', big-endian).
TTCF_TABLE = int.from_bytes(b"ttcf", "big")
# Whole font file rather than one of its tables.
WHOLE_FONT_TABLE = 0


class CollectionAsFontFile(pdfium.PdfSysfontBase):
    """pdfium's own system fonts, with a face of a font collection offered as a whole file.

    For a collection pdfium copies the whole file (26 MB for NotoSerifCJK-Regular.ttc)
    before looking in its cache; for a whole font file it looks first and reads only on a
    miss. Only faces whose own data is empty are offered this way: of those pdfium opens
    face 0 of the collection's bytes (it cannot place them), as it does of a "whole file".
    """

    def GetFontData(self, _, font, table, buffer, size):
        """The requested table, except for a face with no data of its own (pdfium's font
        info on Linux): no collection table, and the collection's bytes as table 0."""
        default = self.default
        # a face with data of its own may be one pdfium places within its collection
        # (another platform's font info): flattened it could change face, so it is left be
        if table not in (TTCF_TABLE, WHOLE_FONT_TABLE) or default.GetFontData(
                default, font, WHOLE_FONT_TABLE, None, 0):
            return default.GetFontData(default, font, table, buffer, size)
        if table == TTCF_TABLE:
            return 0
        return default.GetFontData(default, font, TTCF_TABLE, buffer, size)


class FontHolder:
    """The last document read, kept open so the system fonts it loaded stay cached."""

    def __init__(self) -> None:
        self.document: pdfium.PdfDocument | None = None

    def hold(self, document: pdfium.PdfDocument) -> None:
        """Keep ``document`` open instead of the one held before, which is closed."""
        previous, self.document = self.document, document
        if previous is not None:
            previous.close()

    def release(self) -> None:
        """Close the held document: its fonts leave pdfium's cache."""
        if self.document is not None:
            self.document.close()
            self.document = None


FONT_HOLDER = FontHolder()


@functools.cache  # once per process (a forked worker inherits it installed)
def install_font_info() -> bool:
    """Route pdfium's system font lookups through :class:`CollectionAsFontFile`; False if
    pdfium has no system font info here to wrap (then it reads fonts its own way)."""
    try:
        CollectionAsFontFile().setup()
    except pdfium.PdfiumError as exc:
        log.warning("PDF fonts read pdfium's own way: %s", exc)
        return False
    return True


def release_fonts() -> None:
    """Close the document held for its fonts (end of ingest: the stages after read no PDF)."""
    FONT_HOLDER.release()


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """Open a PDF, turning PDFium's errors into ReadError reasons."""
    install_font_info()
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        raise ReadError(PDFIUM_ERROR_TABLE.get(code, f"damaged PDF: {exc}")) from None


def page_text(document: pdfium.PdfDocument, index: int) -> str:
    """Text of one page with PDFium's CRLF line ends turned into LF."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
    finally:
        page.close()
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


def read_pdf(path: Path, *, options: ReadOptions = DEFAULT_OPTIONS) -> tuple[str, tuple[str, ...]]:
    """Return page texts joined by "\\f" and warnings; scanned or garbled PDFs raise ReadError."""
    document = open_pdf(path)
    try:
        count = len(document)
        if count == 0:
            raise ReadError("damaged PDF: no pages")
        if count > options.max_pdf_pages:
            raise ReadError(f"PDF too long: {count} pages > limit {options.max_pdf_pages}")
        try:
            pages = [page_text(document, i) for i in range(count)]
        except pdfium.PdfiumError as exc:
            raise ReadError(f"damaged PDF: {exc}") from None
    finally:
        # closed only after the next document has loaded its pages, so a system font
        # both use is found in pdfium's cache instead of being read again
        FONT_HOLDER.hold(document)
    return check_text_layer(pages, options=options)


def check_text_layer(
    pages: list[str], *, options: ReadOptions = DEFAULT_OPTIONS
) -> tuple[str, tuple[str, ...]]:
    """Reject PDFs without a usable text layer; warn about pages that lack one."""
    visible = [len(RE_VISIBLE.findall(text)) for text in pages]
    texty = sum(1 for n in visible if n >= options.min_pdf_chars_per_page)
    if texty == 0:
        raise ReadError(f"scanned PDF without a text layer ({len(pages)} pages)")
    text = "\f".join(pages)
    garbled = len(RE_PRIVATE_USE.findall(text))
    if garbled > 0.3 * max(sum(visible), 1):
        raise ReadError("PDF text layer is unreadable (fonts without a Unicode map)")
    warnings = []
    if texty < len(pages):
        warnings.append(f"pages without a text layer: {len(pages) - texty} of {len(pages)}")
    if garbled:
        warnings.append(f"unmapped glyphs in PDF text: {garbled}")
    return text, tuple(warnings)
