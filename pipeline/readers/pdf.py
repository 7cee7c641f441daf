"""PDF reading with pypdfium2: one text block per page, pages joined by form feeds.

Pages stay separated by "\\f" so cleaning can spot running headers and footers
(页眉/页脚, page numbers) that repeat on every page.
"""

from __future__ import annotations

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


def open_pdf(path: Path) -> pdfium.PdfDocument:
    """Open a PDF, turning PDFium's errors into ReadError reasons."""
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
        document.close()
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
