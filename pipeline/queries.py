"""The researcher's questions, as plain functions over an output folder.

Each opens the folder's store read-only, asks it, and returns records; the CLI
(``diaoyan kwic``, ``diaoyan graph --problem`` …) only formats what they return.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pipeline.analysis.kwic import KwicLine, fts_phrase, kwic_lines
from pipeline.records import Document, Unit
from pipeline.store import Store


def kwic(out_dir: Path, term: str, *, label: str | None = None, place: str | None = None,
         limit: int = 200, width: int = 30) -> list[KwicLine]:
    """Keyword in context: every sentence holding ``term``, with its unit, label and place."""
    from pipeline import nlp  # jieba cuts the term as the sentences were cut

    words = [w for w in nlp.get_segmenter().lcut(term) if w.strip()]
    store = Store.for_reading(out_dir)
    try:
        docs = {d.doc_id: d for d in store.iter_documents(status="ok")}

        @functools.lru_cache(maxsize=256)
        def units_of(doc_id: str) -> list[Unit]:
            return list(store.iter_units(doc_id))

        def document(doc_id: str) -> Document:
            return docs[doc_id]

        # filters drop hits after the search, so ask for more than the limit
        hits = list(store.search_sentences(fts_phrase(words), limit * 5))
        return kwic_lines(hits, term, document, units_of, width=width, label=label,
                          place=place)[:limit]
    finally:
        store.close()
