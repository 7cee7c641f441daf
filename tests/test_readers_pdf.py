"""PDF fonts: a system font standing in for a missing one is read once, not once per file.

The texts must stay exactly what pdfium gives with its own font handling, which these
tests get from a child process that never installs ours.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from pipeline.config import load_config
from pipeline.readers import pdf as pdf_reader
from pipeline.readers import read_file, release_readers
from pipeline.readers.pdf import (
    FONT_HOLDER,
    TTCF_TABLE,
    WHOLE_FONT_TABLE,
    CollectionAsFontFile,
    FontHolder,
)
from pipeline.runner import run_pipeline
from tests import badfiles

REPO = Path(__file__).resolve().parents[1]
NAME_TABLE = int.from_bytes(b"name", "big")
COLLECTION_BYTES, FONT_FILE_BYTES, NAME_BYTES = 26, 12, 3

# pdfium with its default system font handling, in a process that never installed ours.
PLAIN_PDFIUM_CHILD = """
import json, sys
import pypdfium2 as pdfium
from pipeline.readers.pdf import page_text
texts = []
for path in sys.argv[1:]:
    document = pdfium.PdfDocument(path)
    texts.append("\\f".join(page_text(document, i) for i in range(len(document))))
    document.close()
print(json.dumps(texts))
"""

# Our reader, counting how often each system font's bytes are copied out in full (a
# table is at most a few hundred KB; a CJK font file is tens of MB).
FULL_READS_CHILD = """
import json, sys
from collections import Counter
from pathlib import Path
from pipeline.readers import read_file
from pipeline.readers.pdf import CollectionAsFontFile
WHOLE_FONT_MIN_BYTES = 4 << 20

class Counting(CollectionAsFontFile):
    full_reads = Counter()
    def GetFontData(self, _, font, table, buffer, size):
        got = super().GetFontData(_, font, table, buffer, size)
        if buffer and size >= got > WHOLE_FONT_MIN_BYTES:
            self.full_reads[font] += 1
        return got

Counting().setup()
for path in sys.argv[1:]:
    read_file(Path(path))
print(json.dumps(sorted(Counting.full_reads.values())))
"""


class FakeDefaultFonts:
    """pdfium's default font info as seen through ctypes: sizes per table, reads recorded."""

    version = 1

    def __init__(self, sizes: dict[int, int]):
        self.sizes = sizes
        self.read_tables: list[int] = []

    def GetFontData(self, _, font, table, buffer, size):
        if buffer:
            self.read_tables.append(table)
        return self.sizes.get(table, 0)


GET_FONT_DATA_CASES = [
    # (case id, table asked for, sizes the default reports, size answered, tables copied)
    ("collection table hidden", TTCF_TABLE,
     {TTCF_TABLE: COLLECTION_BYTES, WHOLE_FONT_TABLE: 0}, 0, []),
    ("collection offered as whole file", WHOLE_FONT_TABLE,
     {TTCF_TABLE: COLLECTION_BYTES, WHOLE_FONT_TABLE: 0}, COLLECTION_BYTES, [TTCF_TABLE]),
    ("placed face: collection kept", TTCF_TABLE,
     {TTCF_TABLE: COLLECTION_BYTES, WHOLE_FONT_TABLE: FONT_FILE_BYTES}, COLLECTION_BYTES,
     [TTCF_TABLE]),
    ("placed face: its own data kept", WHOLE_FONT_TABLE,
     {TTCF_TABLE: COLLECTION_BYTES, WHOLE_FONT_TABLE: FONT_FILE_BYTES}, FONT_FILE_BYTES,
     [WHOLE_FONT_TABLE]),
    ("font file untouched", WHOLE_FONT_TABLE,
     {TTCF_TABLE: 0, WHOLE_FONT_TABLE: FONT_FILE_BYTES}, FONT_FILE_BYTES, [WHOLE_FONT_TABLE]),
    ("other tables untouched", NAME_TABLE,
     {TTCF_TABLE: COLLECTION_BYTES, NAME_TABLE: NAME_BYTES}, NAME_BYTES, [NAME_TABLE]),
    ("unknown font stays empty", WHOLE_FONT_TABLE, {}, 0, [TTCF_TABLE]),
]


@pytest.mark.parametrize("case, table, sizes, answer, copied", GET_FONT_DATA_CASES,
                         ids=[case[0] for case in GET_FONT_DATA_CASES])
def test_collection_offered_as_whole_font_file(case, table, sizes, answer, copied):
    default = FakeDefaultFonts(sizes)
    fonts = CollectionAsFontFile(default)
    buffer = bytearray(max(sizes.values(), default=1))
    assert fonts.GetFontData(None, 1, table, buffer, len(buffer)) == answer
    assert default.read_tables == copied


def make_cid_pdf(path: Path, font: str, lines: tuple[str, ...]) -> Path:
    """A one-page PDF in one of reportlab's non-embedded CJK CID fonts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(font))
    pdf = canvas.Canvas(str(path))
    pdf.setFont(font, 11)
    for row, line in enumerate(lines):
        pdf.drawString(60, 760 - 18 * row, line)
    pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def cid_pdfs(tmp_path) -> list[Path]:
    """PDFs whose CJK fonts pdfium takes from the system, switching font between files."""
    simplified = badfiles.make_pdf(tmp_path / "song.pdf")
    traditional = make_cid_pdf(tmp_path / "ming.pdf", "MSung-Light",
                               tuple(badfiles.TRADITIONAL_TEXT.splitlines()))
    korean = make_cid_pdf(tmp_path / "myeongjo.pdf", "HYSMyeongJo-Medium",
                          badfiles.SAMPLE_LINES[:3])
    again = badfiles.make_pdf(tmp_path / "song-again.pdf", [list(badfiles.SAMPLE_LINES[2:])])
    return [simplified, traditional, simplified, korean, again, traditional]


def run_child(script: str, paths: list[Path]) -> list:
    """Run ``script`` over ``paths`` in a fresh interpreter; its JSON answer."""
    child = subprocess.run([sys.executable, "-c", script, *map(str, paths)], cwd=REPO,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout)


def test_shared_fonts_give_pdfiums_own_text(cid_pdfs):
    ours = [read_file(path).text for path in cid_pdfs]
    release_readers()
    assert ours == run_child(PLAIN_PDFIUM_CHILD, cid_pdfs)


def test_system_font_copied_once_while_files_share_it(tmp_path):
    paths = [badfiles.make_pdf(tmp_path / f"{n}.pdf", [list(badfiles.SAMPLE_LINES[n:])])
             for n in range(4)]
    # pdfium's own handling copies a 26 MB collection out for each of these files; with
    # no system CJK font there is nothing to copy (and nothing to count)
    assert all(reads == 1 for reads in run_child(FULL_READS_CHILD, paths))


class FakeDocument:
    """Counts closes, like pdfium's documents are closed once."""

    def __init__(self):
        self.closed = 0

    def close(self):
        self.closed += 1


def test_holder_keeps_only_the_last_document_open():
    first, second, holder = FakeDocument(), FakeDocument(), FontHolder()
    holder.hold(first)
    holder.hold(second)
    assert (first.closed, second.closed) == (1, 0)
    holder.release()
    holder.release()
    assert (second.closed, holder.document) == (1, None)


def test_release_readers_closes_the_held_pdf(tmp_path):
    read_file(badfiles.make_pdf(tmp_path / "r.pdf"))
    assert FONT_HOLDER.document is not None
    release_readers()
    assert FONT_HOLDER.document is None


def test_ingest_closes_the_pdf_it_held_for_its_fonts(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    badfiles.make_pdf(corpus / "report.pdf")
    run_pipeline(tmp_path / "out", load_config(), corpus=corpus, stages=("ingest",), jobs=1)
    assert FONT_HOLDER.document is None


def test_pdfs_read_without_font_info_to_wrap(tmp_path, monkeypatch, caplog):
    def no_default_font_info(self, *args, **kwargs):
        raise pdfium.PdfiumError("No default FPDF_SYSFONTINFO available on this platform")

    monkeypatch.setattr(CollectionAsFontFile, "setup", no_default_font_info)
    pdf_reader.install_font_info.cache_clear()
    try:
        got = read_file(badfiles.make_pdf(tmp_path / "r.pdf"))
    finally:
        monkeypatch.undo()
        pdf_reader.install_font_info.cache_clear()
    assert got.text.startswith(badfiles.SAMPLE_LINES[0])
    assert "PDF fonts read pdfium's own way" in caplog.text
