"""Ingest's first step: walk a corpus folder and turn each file into raw text.

``read_file`` sniffs magic bytes before trusting the extension (a scanned image
renamed .txt is common), enforces size caps by ``stat`` before reading, and
raises :class:`ReadError` with a one-line reason for anything it cannot read.
``iter_corpus`` walks a folder in a stable order and never raises.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.formats.common import DEFAULT_OPTIONS, MB, ReadError, ReadOptions
from pipeline.formats.docx import human_size, read_docx
from pipeline.formats.html import html_title, read_html
from pipeline.formats.pdf import read_pdf
from pipeline.formats.text import decode_text, detect_bom
from pipeline.records import Extracted

__all__ = [
    "CorpusEntry",
    "ReadError",
    "ReadOptions",
    "file_digest",
    "html_title",
    "iter_corpus",
    "read_file",
    "sniff_format",
]

log = logging.getLogger(__name__)

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
    if fmt == "pdf":
        text, warnings = read_pdf(path, options=options)
        return Extracted(text=text, fmt="pdf", warnings=warnings)
    if fmt == "docx":
        text, warnings = read_docx(path, options=options)
        return Extracted(text=text, fmt="docx", warnings=warnings)
    if fmt == "html":
        text, codec, warnings, title = read_html(data, options=options)
        return Extracted(text=text, fmt="html", encoding=codec, warnings=warnings, title=title)
    text, codec, warnings = decode_text(data, options=options, kind=path.suffix or "text")
    return Extracted(text=text, fmt="txt", encoding=codec, warnings=warnings)


def os_reason(exc: OSError) -> str:
    """A short reason for an OS error: 'permission denied', 'file not found', …"""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    return f"cannot read file: {exc.strerror or exc}"


def file_digest(path: Path) -> str:
    """sha256 hex of a file's bytes, read in 1 MB chunks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(MB):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class CorpusEntry:
    """One file (or unreadable directory) found in the corpus; ``error`` set if unusable."""

    rel_path: str
    path: Path
    error: str | None = None


def skip_name(name: str, skip_names: tuple[str, ...]) -> bool:
    """Hidden files, Office lock files (~$报告.docx) and configured names are not documents."""
    return name.startswith((".", "~$")) or name in skip_names


def iter_corpus(
    root: Path, *, skip_names: tuple[str, ...] = ("metadata.csv", "diaoyan.toml")
) -> Iterator[CorpusEntry]:
    """Yield every file under ``root`` in sorted order; problems become error entries."""
    root = Path(root)
    try:
        if root.is_file():
            yield CorpusEntry(root.name, root)
            return
        root_id = dir_identity(root)
    except OSError as exc:
        yield CorpusEntry(".", root, f"unreadable corpus folder: {os_reason(exc)}")
        return
    yield from walk(root, root, (root_id,), skip_names)


def dir_identity(path: Path) -> tuple[int, int]:
    """(device, inode) of a directory, following symlinks."""
    info = path.stat()
    return info.st_dev, info.st_ino


def walk(
    root: Path, folder: Path, ancestors: tuple[tuple[int, int], ...], skip_names: tuple[str, ...]
) -> Iterator[CorpusEntry]:
    """Depth-first walk of ``folder``; ``ancestors`` are the directories above, for loops."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except PermissionError:
        yield CorpusEntry(rel(root, folder), folder, "unreadable directory: permission denied")
        return
    except OSError as exc:
        yield CorpusEntry(rel(root, folder), folder, f"unreadable directory: {os_reason(exc)}")
        return
    for entry in entries:
        if skip_name(entry.name, skip_names):
            continue
        path = Path(entry.path)
        try:
            info = path.stat()  # follows symlinks
        except OSError as exc:
            reason = os_reason(exc)
            if entry.is_symlink() and isinstance(exc, FileNotFoundError):
                reason = "broken symlink"
            yield CorpusEntry(rel(root, path), path, reason)
            continue
        if stat.S_ISDIR(info.st_mode):
            identity = (info.st_dev, info.st_ino)
            if identity in ancestors:
                yield CorpusEntry(rel(root, path), path, "symlink loop")
                continue
            yield from walk(root, path, (*ancestors, identity), skip_names)
        elif stat.S_ISREG(info.st_mode):
            yield CorpusEntry(rel(root, path), path)
        else:  # FIFOs and devices would block or never end when read
            yield CorpusEntry(rel(root, path), path, "not a regular file")


def rel(root: Path, path: Path) -> str:
    """Path relative to the corpus root, with forward slashes."""
    return path.relative_to(root).as_posix()
