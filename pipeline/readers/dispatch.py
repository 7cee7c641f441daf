"""Read one corpus file into raw text, whatever its format.

``read_file`` sniffs magic bytes before trusting the extension (a scanned image renamed
.txt is common), enforces size caps by ``stat`` before reading, and raises
:class:`~pipeline.readers.common.ReadError` with a one-line reason for anything it cannot
read; the format readers beside this module do the rest.
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from pipeline.readers.common import (
    DEFAULT_OPTIONS,
    MB,
    ReadError,
    ReadOptions,
    human_size,
    os_reason,
)
from pipeline.readers.text import decode_text, detect_bom
from pipeline.records import Extracted

SNIFF_BYTES = 1024
# Magic numbers of things that are not reports, with the reason we give.
MAGIC_TABLE: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x7fELF", "executable program"),
    (b"{\\rtf", "RTF document"),
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office (.doc/.xls/.wps), encrypted .docx
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a zip with members / an empty zip
PDF_MAGIC = b"%PDF-"  # may follow a little junk; readers search the first 1 KB
# Extension → format, used only when the bytes don't say.
EXTENSION_TABLE = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".markdown": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".mht": "txt",
    ".docx": "docx",
    ".docm": "docx",
    ".pdf": "pdf",
}
# Text that opens like a web page: "<!DOCTYPE html", "<html", "<?xml…<html".
HTML_OPENINGS = (b"<!doctype html", b"<html", b"<head", b"<meta")


class UnsupportedFormat(ReadError):
    """A file whose bytes say it is an image, archive or other non-report."""


def sniff_format(head: bytes, suffix: str) -> str:
    """'txt' | 'html' | 'docx' | 'pdf' from the first bytes, then the extension, or ReadError."""
    suffix = suffix.lower()
    if PDF_MAGIC in head[:SNIFF_BYTES]:
        return "pdf"
    if head.startswith(ZIP_MAGICS):
        return "docx"  # check_zip tells a .docx from other zips
    if head.startswith(OLE2_MAGIC):
        raise UnsupportedFormat(describe_ole2(suffix))
    for magic, what in MAGIC_TABLE:
        if head.startswith(magic):
            raise UnsupportedFormat(f"{what} with a {suffix or 'no'} extension")
    if head[:2] == b"BM" and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00":
        raise UnsupportedFormat(f"BMP image with a {suffix or 'no'} extension")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        raise UnsupportedFormat(f"WebP image with a {suffix or 'no'} extension")
    if suffix in (".doc", ".wps"):
        raise UnsupportedFormat("old Word .doc format is not supported; save as .docx")
    if suffix == ".pdf":
        raise UnsupportedFormat("damaged PDF: no %PDF header")
    if suffix == ".docx":
        raise UnsupportedFormat("damaged docx: not a zip file")
    fmt = EXTENSION_TABLE.get(suffix, "txt")
    if fmt == "txt" and looks_like_html(head):
        return "html"
    return fmt


def describe_ole2(suffix: str) -> str:
    """Reason for an OLE2 compound file, which is either legacy Office or an encrypted docx."""
    if suffix in (".docx", ".docm"):
        return "password-protected .docx (encrypted Office file)"
    if suffix in (".xls", ".ppt"):
        return f"old Office {suffix} format is not supported"
    return "old Word .doc format is not supported; save as .docx"


def looks_like_html(head: bytes) -> bool:
    """True when a text file opens like a web page (ignoring BOM and whitespace)."""
    bom = detect_bom(head)
    if bom and bom[0] != "utf-8":
        head = head.decode(bom[0], errors="ignore").encode("utf-8")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml"):
        return b"<html" in start[:SNIFF_BYTES]
    return start.startswith(HTML_OPENINGS)


def size_limit(fmt: str, options: ReadOptions) -> int:
    """The on-disk byte cap for a format."""
    return {
        "pdf": options.max_pdf_bytes,
        "docx": options.max_docx_bytes,
        "html": options.max_html_bytes,
    }.get(fmt, options.max_text_bytes)


def read_file(path: Path, *, options: ReadOptions = DEFAULT_OPTIONS) -> Extracted:
    """Read one corpus file into raw text; raise ReadError with a one-line reason."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ReadError("not a regular file")
        if info.st_size == 0:
            raise ReadError("empty file")
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            fmt = sniff_format(head, path.suffix)
            limit = size_limit(fmt, options)
            if info.st_size > limit:  # decided by stat: a 200 MB file is never read
                raise ReadError(
                    f"file too large: {info.st_size / MB:.1f} MB > limit {human_size(limit)}"
                )
            if fmt in ("txt", "html"):
                data = head + handle.read(limit + 1 - len(head))
                if len(data) > limit:  # the file grew after stat
                    raise ReadError(f"file too large: > limit {human_size(limit)}")
    except OSError as exc:
        raise ReadError(os_reason(exc)) from None
    # each format's library is imported with its first file: a run that reads no PDF
    # (or, unchanged, no file at all) never loads pypdfium2, python-docx or trafilatura
    if fmt == "pdf":
        from pipeline.readers.pdf import read_pdf

        text, warnings = read_pdf(path, options=options)
        return Extracted(text=text, fmt="pdf", warnings=warnings)
    if fmt == "docx":
        from pipeline.readers.docx import read_docx

        text, warnings = read_docx(path, options=options)
        return Extracted(text=text, fmt="docx", warnings=warnings)
    if fmt == "html":
        from pipeline.readers.html import read_html

        text, codec, warnings, title = read_html(data, options=options)
        return Extracted(text=text, fmt="html", encoding=codec, warnings=warnings, title=title)
    text, codec, warnings = decode_text(data, options=options, kind=path.suffix or "text")
    return Extracted(text=text, fmt="txt", encoding=codec, warnings=warnings)


def release_readers() -> None:
    """Let go of what readers keep between files (the PDF held open for its fonts)."""
    pdf = sys.modules.get("pipeline.readers.pdf")  # never imported: no PDF was read here
    if pdf is not None:
        pdf.release_fonts()
