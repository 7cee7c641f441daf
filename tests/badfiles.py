"""Makers for good and bad corpus inputs, shared by reader tests and end-to-end tests.

Every text here is invented for the tests. ``make_bad_corpus(folder)`` drops one
file per failure mode into a folder and returns {relative path: reason substring}
so an end-to-end test can check each becomes an error document with that reason.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

# Invented report-like lines (not taken from any real report).
SAMPLE_LINES = (
    "关于青石镇茶叶合作社发展情况的调研报告",
    "一、基本情况",
    "全镇现有茶园四千二百亩，合作社十一家，带动农户约六百户。",
    "二、存在的主要问题",
    "（一）加工设备老旧，夏秋茶利用率偏低。",
    "（二）品牌分散，线上销售渠道尚未打开。",
    "三、对策建议",
    "建议整合小散品牌，由镇里牵头建设统一的冷链仓储点。",
)
SAMPLE_TEXT = "\n".join(SAMPLE_LINES) + "\n"
TRADITIONAL_TEXT = "關於漁港社區長者照顧服務的調查報告\n一、受訪長者普遍反映交通不便。\n"


def make_pdf(
    path: Path,
    pages: list[list[str]] | None = None,
    *,
    encrypt: object = None,
    with_text: bool = True,
) -> Path:
    """Write a PDF with Chinese text (reportlab's STSong-Light CID font), or image-only pages."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pages = pages or [list(SAMPLE_LINES[:4]), list(SAMPLE_LINES[4:])]
    pdf = canvas.Canvas(str(path), encrypt=encrypt)
    for lines in pages:
        if with_text:
            pdf.setFont("STSong-Light", 12)
            for row, line in enumerate(lines):
                pdf.drawString(60, 760 - 20 * row, line)
        else:  # what a scanner produces: pictures, no text objects
            pdf.rect(60, 400, 300, 300, fill=1)
        pdf.showPage()
    pdf.save()
    return path


def write(path: Path, data: bytes) -> Path:
    """Write bytes, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def make_empty(folder: Path) -> Path:
    """A zero-byte .txt."""
    return write(folder / "empty.txt", b"")


def make_binary_txt(folder: Path) -> Path:
    """Deterministic pseudo-random bytes named .txt."""
    state, out = 12345, bytearray()
    for _ in range(8192):
        state = (state * 1103515245 + 12345) % 2**31
        out.append(state >> 16 & 0xFF)
    return write(folder / "junk.txt", bytes(out))


def make_png_txt(folder: Path) -> Path:
    """A PNG header and some chunk bytes, renamed .txt."""
    return write(folder / "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))


def make_old_doc(folder: Path) -> Path:
    """An OLE2 compound-file header, as legacy Word .doc files start."""
    return write(folder / "legacy.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))


def make_truncated_pdf(folder: Path) -> Path:
    """The first half of a valid PDF (the xref table and trailer are lost)."""
    full = make_pdf(folder / "_full.pdf")
    data = full.read_bytes()
    full.unlink()
    return write(folder / "truncated.pdf", data[: len(data) // 2])


def make_encrypted_pdf(folder: Path) -> Path:
    """A PDF that needs a user password to open."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_pdf(folder / "locked.pdf", encrypt="secret")


def make_scanned_pdf(folder: Path) -> Path:
    """A 3-page PDF with only drawings, standing in for a scan without OCR."""
    folder.mkdir(parents=True, exist_ok=True)
    return make_pdf(folder / "scanned.pdf", [[], [], []], with_text=False)


def make_zip_bomb_docx(folder: Path, *, inflated_mb: int = 8) -> Path:
    """A .docx whose document.xml inflates to ``inflated_mb`` MB from a few KB."""
    path = folder / "bomb.docx"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b" " * (inflated_mb * 1024 * 1024))
    return path


def make_plain_zip_docx(folder: Path) -> Path:
    """A zip archive of text files that only claims to be a .docx."""
    path = folder / "notword.docx"
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "only a note")
    return path


def make_huge_txt(folder: Path, *, size_mb: int = 200) -> Path:
    """A sparse text file of ``size_mb`` MB: costs no disk, must never be read whole."""
    path = folder / "huge.txt"
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(SAMPLE_TEXT.encode("utf-8"))
        handle.truncate(size_mb * 1024 * 1024)
    return path


def make_symlink_loop(folder: Path) -> Path:
    """A directory holding a symlink back to itself."""
    loop_dir = folder / "loop"
    loop_dir.mkdir(parents=True, exist_ok=True)
    link = loop_dir / "again"
    os.symlink(loop_dir, link, target_is_directory=True)
    return link


def make_broken_symlink(folder: Path) -> Path:
    """A symlink to a file that does not exist."""
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "gone.txt"
    os.symlink(folder / "never-created.txt", link)
    return link


def make_text_with_bad_bytes(folder: Path) -> Path:
    """A good UTF-8 report with three corrupt bytes: readable, with a warning."""
    data = SAMPLE_TEXT.encode("utf-8") * 3
    cut = data.index(b"\n") + 1  # a character boundary, so only the 3 inserted bytes are bad
    return write(folder / "few-bad-bytes.txt", data[:cut] + b"\xff\xfe\xff" + data[cut:])


# maker → reason substring read_file / iter_corpus must report for it.
BAD_FILE_TABLE: tuple[tuple[Callable[[Path], Path], str], ...] = (
    (make_empty, "empty file"),
    (make_binary_txt, "binary content"),
    (make_png_txt, "PNG image with a .txt extension"),
    (make_old_doc, "old Word .doc format"),
    (make_truncated_pdf, "damaged PDF"),
    (make_encrypted_pdf, "encrypted PDF"),
    (make_scanned_pdf, "scanned PDF without a text layer (3 pages)"),
    (make_zip_bomb_docx, "zip bomb"),
    (make_plain_zip_docx, "not a .docx"),
    (make_huge_txt, "file too large: 200.0 MB > limit 32 MB"),
    (make_symlink_loop, "symlink loop"),
    (make_broken_symlink, "broken symlink"),
)


def make_bad_corpus(folder: Path) -> dict[str, str]:
    """Create every bad input under ``folder``; return {rel_path: expected reason substring}."""
    expected = {}
    for maker, reason in BAD_FILE_TABLE:
        path = maker(folder)
        expected[path.relative_to(folder).as_posix()] = reason
    return expected
