"""The error, the caps and the wording of OS errors shared by every reader."""

from __future__ import annotations

import errno
from dataclasses import dataclass

MB = 1024 * 1024


class ReadError(Exception):
    """A file that cannot be turned into text, with a one-line reason for the researcher."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReadOptions:
    """Caps that keep one bad file from eating the run's time or memory."""

    # Files larger than these are rejected by ``stat`` before a byte is read, so a
    # 200 MB text file costs nothing. A long 调研报告 is a few hundred KB of text.
    max_text_bytes: int = 32 * MB  # .txt / .md; cleaning peaks at ≈19× the file size in RAM
    max_html_bytes: int = 32 * MB  # a saved web page; trafilatura builds a full tree
    max_docx_bytes: int = 128 * MB  # on-disk size; mostly embedded images
    max_pdf_bytes: int = 256 * MB  # scanned-with-OCR PDFs are image-heavy
    # Zip-bomb guards, checked from the zip directory before python-docx inflates
    # anything (it loads every part into memory).
    max_docx_uncompressed_bytes: int = 512 * MB  # sum of all members' declared sizes
    max_docx_ratio: float = 200.0  # per member over 1 MB: uncompressed / compressed
    # A 调研报告 runs 5-100 pages; thousands mean a book or a scan dump.
    max_pdf_pages: int = 2000
    # A page with fewer visible characters than this has no usable text layer.
    min_pdf_chars_per_page: int = 20
    # Decoded text where more than this share of characters are U+FFFD (undecodable
    # bytes) or control characters is binary, not a report with a few bad bytes.
    max_replacement_ratio: float = 0.05
    max_control_ratio: float = 0.02
    # Encoding detection looks at this many leading bytes only (speed on big files).
    detect_prefix_bytes: int = 256 * 1024


DEFAULT_OPTIONS = ReadOptions()  # frozen, so one shared default instance is safe


def os_reason(exc: OSError) -> str:
    """A short reason for an OS error: 'permission denied', 'file not found', …"""
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "file not found"
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    return f"cannot read file: {exc.strerror or exc}"


def human_size(size: int) -> str:
    """Bytes as '1.2 GB' / '64 MB' for error messages."""
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB"
    return f"{size / MB:.1f} MB" if size % MB else f"{size // MB} MB"
