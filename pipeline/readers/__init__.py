"""Ingest's first step: walk a corpus folder and turn each file into raw text.

* :mod:`.corpus` - ``iter_corpus``: every file under the corpus folder, in a stable
  order; problems (unreadable folders, broken links) become entries, never exceptions;
* :mod:`.dispatch` - ``read_file``: sniff the format from the bytes, enforce the size
  caps by ``stat``, hand the file to its reader;
* the readers: :mod:`.text` (any common encoding), :mod:`.html`, :mod:`.docx`,
  :mod:`.pdf`; :mod:`.common` holds ``ReadError`` and the caps (``ReadOptions``).
"""

from __future__ import annotations

from pipeline.readers.common import ReadError, ReadOptions
from pipeline.readers.corpus import CorpusEntry, file_digest, iter_corpus
from pipeline.readers.dispatch import read_file, release_readers, sniff_format

__all__ = [
    "CorpusEntry",
    "ReadError",
    "ReadOptions",
    "file_digest",
    "html_title",
    "iter_corpus",
    "read_file",
    "release_readers",
    "sniff_format",
]


def __getattr__(name: str):
    # html_title needs lxml and trafilatura: loaded when asked for, not with the package
    if name == "html_title":
        from pipeline.readers.html import html_title

        return html_title
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
