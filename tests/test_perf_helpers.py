"""Faster helpers give exactly what the code they replaced gave (tables of cases)."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import asdict

import numpy as np
import pytest
from scipy import sparse
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.records import IngestedPart, Region, UnitSpan
from pipeline.tagging.inputs import all_own_ranges, own_ranges
from pipeline.tagging.linear import TfidfBlock
from pipeline.tagging.rules import LABELS, cue_counts, load_lexicon
from pipeline.text.vocab import CACHED_NORMAL_CHARS, normalise_for_match

# ---- normalise_for_match: cached or not, the same form -------------------------------

NORMAL_CASES = [
    "",
    "ＡＢＣ　１２３",  # full-width forms and an ideographic space
    "存在的问题",
    "（一）加强 基层 队伍建设，",
    "乡" * (CACHED_NORMAL_CHARS - 1) + "，",  # just under the cached length
    "乡" * CACHED_NORMAL_CHARS,  # at it
    "乡 " * CACHED_NORMAL_CHARS,  # over it
]


@pytest.mark.parametrize("text", NORMAL_CASES)
def test_normalise_for_match_is_nfkc_without_spaces(text):
    expected = "".join(unicodedata.normalize("NFKC", text).split())
    assert normalise_for_match(text) == expected
    assert normalise_for_match(text) == expected  # the remembered form too


# ---- TF-IDF counts: one numpy pass equals a Counter and a sort per row -------------

VOCABULARY = {"待遇": 0, "工资": 1, "津贴": 2, "a": 3, "ab": 4, "b": 5}

COUNT_CASES = [
    ([], None),
    ([["待遇", "待遇", "工资"]], None),
    ([["未知"], [], ["津贴", "待遇", "津贴"]], None),  # unknown terms and an empty row
    ([[], []], None),
    (["ab ab", "  b", ""], (1, 2)),  # character n-grams
]


def _reference_counts(block: TfidfBlock, documents: list) -> sparse.csr_matrix:
    indptr, indices, values = [0], [], []
    for document in documents:
        counts = Counter(block._terms(document))
        known = sorted((block.vocabulary[t], n) for t, n in counts.items()
                       if t in block.vocabulary)
        indices += [column for column, _n in known]
        values += [n for _column, n in known]
        indptr.append(len(indices))
    return sparse.csr_matrix((np.asarray(values, dtype=np.float64),
                              np.asarray(indices, dtype=np.int64), indptr),
                             shape=(len(documents), len(block.idf)))


@pytest.mark.parametrize(("documents", "char_ngrams"), COUNT_CASES)
def test_tfidf_counts_match_a_counter_per_row(documents, char_ngrams):
    block = TfidfBlock(VOCABULARY, np.ones(len(VOCABULARY)), char_ngrams)
    got, expected = block._counts(documents), _reference_counts(block, documents)
    assert got.shape == expected.shape
    assert got.indptr.tolist() == expected.indptr.tolist()
    assert got.indices.tolist() == expected.indices.tolist()
    assert got.data.tolist() == expected.data.tolist()


# ---- own ranges: one pass over the outline equals the per-span search ---------------

def _span(start: int, end: int, parent: int | None) -> UnitSpan:
    return UnitSpan(start, end, 1, "", "", "heading", parent)


OUTLINE_CASES = [
    [],
    [_span(0, 10, None)],
    [_span(0, 100, None), _span(10, 40, 0), _span(40, 60, 0), _span(70, 100, 0)],
    # children out of order, nested, overlapping and touching the end
    [_span(0, 50, None), _span(30, 50, 0), _span(5, 20, 0), _span(8, 12, 2),
     _span(18, 35, 0)],
    [_span(0, 20, None), _span(0, 20, 0)],  # a child covering its parent
]


@pytest.mark.parametrize("spans", OUTLINE_CASES)
def test_all_own_ranges_match_own_ranges(spans):
    assert all_own_ranges(spans) == [own_ranges(spans, i) for i in range(len(spans))]


# ---- cue counts: first-character lookup equals spaCy's PhraseMatcher ---------------

def _phrase_matcher_counts(text: str, words: tuple[str, ...]) -> dict[str, int]:
    """What cue_counts counted with spaCy (phrases over characters, whole words)."""
    lexicon, vocab = load_lexicon(), Vocab()
    phrases, whole = PhraseMatcher(vocab), PhraseMatcher(vocab)
    for label in LABELS:
        phrases.add(label, [Doc(vocab, words=list(p)) for p in lexicon.phrases[label]])
        whole.add(label, [Doc(vocab, words=[w]) for w in lexicon.words[label]])
    counts = dict.fromkeys(LABELS, 0)
    text = normalise_for_match(text)
    if text:
        for match_id, _start, _end in phrases(Doc(vocab, words=list(text))):
            counts[vocab.strings[match_id]] += 1
    if words:
        for match_id, _start, _end in whole(Doc(vocab, words=list(words))):
            counts[vocab.strings[match_id]] += 1
    return counts


def _phrase_cases() -> list[tuple[str, tuple[str, ...]]]:
    lexicon = load_lexicon()
    phrases = [p for label in LABELS for p in lexicon.phrases[label]]
    words = tuple(w for label in LABELS for w in lexicon.words[label])
    nested = sorted(phrases, key=len)[-1]  # the longest: shorter cues may start inside it
    return [
        ("", ()),
        ("", words),
        ("一二三四五", ()),
        ("".join(phrases), ()),  # every phrase once, neighbours overlapping
        (nested + nested + nested[:-1], words[:3] * 2),
        ("存在的问题主要是待遇偏低，下一步要加强培训", ("存在", "问题", "加强")),
    ]


def _without_gapped_and_counted(text: str, words: tuple[str, ...]) -> dict[str, int]:
    """cue_counts minus what it counts by regex (gapped cues, counted results): unchanged."""
    from pipeline.tagging.rules import RE_COUNTED, _matchers

    counts = dict(cue_counts(text, words))
    normal = normalise_for_match(text)
    for label, regex in _matchers().gapped.items():
        counts[label] -= sum(1 for _ in regex.finditer(normal))
    counts["practice"] -= len(RE_COUNTED.findall(normal)) if normal else 0
    return counts


@pytest.mark.parametrize(("text", "words"), _phrase_cases())
def test_cue_counts_match_the_phrase_matcher(text, words):
    assert _without_gapped_and_counted(text, words) == _phrase_matcher_counts(text, words)


# ---- IngestedPart.to_json: the JSON asdict gave ---------------------------------

PART_CASES = [
    IngestedPart(part=1, parts=1, status="error", error="no text after cleaning"),
    IngestedPart(part=2, parts=3, status="ok", file_sha="ab", text="正文", title="标题",
                 region=Region("甘肃省", "张掖市", "临泽县", "620723"), year=2024,
                 authors=("张三",), warnings=("w",), captions=((0, 2),),
                 offset_runs=((0, 5, 2), (2, 9, 1))),
]


@pytest.mark.parametrize("part", PART_CASES)
def test_ingested_part_json_is_what_asdict_gave(part):
    assert json.dumps(part.to_json(), ensure_ascii=False) == json.dumps(
        asdict(part), ensure_ascii=False)
    assert IngestedPart.from_json(json.loads(json.dumps(part.to_json()))) == part


class _FakeLibc:
    def __init__(self) -> None:
        self.trimmed: list[int] = []

    def malloc_trim(self, pad: int) -> int:
        self.trimmed.append(pad)
        return 1


@pytest.mark.parametrize(("library", "trims"), [(_FakeLibc(), [0]), (None, None)])
def test_free_heap_is_trimmed_where_glibc_is(monkeypatch, library, trims):
    from pipeline import stages

    monkeypatch.setattr(stages, "_c_library", lambda: library)
    stages.return_free_heap()  # without glibc: nothing happens, nothing fails
    assert (library.trimmed if library else None) == trims


def test_every_stage_run_trims_the_heap(monkeypatch):
    from pipeline import runner

    calls: list[str] = []
    monkeypatch.setattr(runner, "return_free_heap", lambda: calls.append("trim"))
    stage = runner.get_stage("structure")  # runs in this process whatever the corpus
    context = runner.StageContext(store=None, config=None, stage=stage, corpus=None,
                                  progress=None, jobs=1, options={}, executor=None)
    result = runner.run_stage(context)  # no store: the stage fails, the heap is trimmed
    assert result.failed and calls == ["trim"]
