"""Tests for pipeline.nlp: user dictionary, POS lookup, sentences, serialization, processes."""

from __future__ import annotations

import jieba
import pytest

from pipeline import nlp as N
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def nlp():
    return N.shared_nlp(N.SegmentOptions())


@pytest.fixture(scope="module")
def stock_jieba():
    """A fresh jieba with only its own dictionary, so no user word leaks in."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


# text -> a word that must be one token with our dictionary and is split by stock jieba
USERDICT_CASES = {
    "要加强容错纠错机制建设": "容错纠错",
    "推进职务职级并行制度": "职务职级并行",
    "全面推进乡村振兴": "乡村振兴",
    "激励干部担当作为": "担当作为",
    "推行最多跑一次改革": "最多跑一次",
    "实现政务服务一网通办": "一网通办",
    "持续优化营商环境": "营商环境",
    "巩固脱贫攻坚成果": "脱贫攻坚",
    "做好控辍保学工作": "控辍保学",
    "全面落实河湖长制": "河湖长制",
    "推行家庭医生签约服务": "家庭医生签约",
    "划定生态保护红线": "生态保护红线",
    "加强医保基金监管": "医保基金",
    "坚持党建引领基层治理": "党建引领",
    "推进网格化管理": "网格化管理",
    "选派驻村工作队": "驻村工作队",
    "健全乡镇街道权责清单": "乡镇街道",
    "整治不担当不作为现象": "不担当不作为",
}


@pytest.mark.parametrize(("text", "word"), USERDICT_CASES.items())
def test_user_dictionary_keeps_domain_terms_whole(nlp, stock_jieba, text, word):
    assert word not in stock_jieba.lcut(text)
    assert word in [token.text for token in nlp(text)]


def test_package_dictionary_is_large_and_tagged():
    entries = N.load_user_dictionary()
    words = [entry.word for entry in entries]
    assert len(entries) >= 300
    assert len(set(words)) == len(words), "duplicate entries"
    assert all(entry.tag for entry in entries)


def test_global_jieba_is_not_modified(nlp):
    nlp("推进职务职级并行制度")
    assert "职务职级并行" not in jieba.dt.FREQ


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("容错纠错 vn", N.DictEntry("容错纠错", None, "vn")),
        ("容错纠错 500 vn", N.DictEntry("容错纠错", 500, "vn")),
        ("容错纠错 500", N.DictEntry("容错纠错", 500, None)),
        ("容错纠错", N.DictEntry("容错纠错", None, None)),
    ],
)
def test_parse_dictionary_line_forms(line, expected):
    assert N.parse_dictionary(f"# a comment\n\n{line}\n") == [expected]


@pytest.mark.parametrize("line", ["容错 纠错 ??", "容错纠错 0 vn"])
def test_parse_dictionary_rejects_bad_lines(line):
    with pytest.raises(ValueError, match=":1:"):
        N.parse_dictionary(line)


def test_user_dict_option_adds_a_word(tmp_path, stock_jieba):
    text = "推进数智赋能平台建设"
    assert "数智赋能平台" not in stock_jieba.lcut(text)
    extra = tmp_path / "extra.txt"
    extra.write_text("# project words\n数智赋能平台 nz\n", encoding="utf-8")
    options = N.SegmentOptions(user_dicts=(str(extra),))
    doc = N.make_nlp(options)(text)
    tagged = {token.text: token.tag_ for token in doc}
    assert tagged.get("数智赋能平台") == "nz"
    assert N.dictionary_fingerprint(options) != N.dictionary_fingerprint(N.SegmentOptions())


@pytest.mark.parametrize(
    ("text", "word", "tag", "pos"),
    [
        ("要加强干部管理", "加强", "v", "VERB"),
        ("要加强干部管理", "干部", "n", "NOUN"),
        ("2019年以来", "2019", "m", "NUM"),
        ("问题突出。", "。", "x", "PUNCT"),
        ("使用APP办事", "APP", "eng", "X"),
        ("落实容错纠错机制", "容错纠错", "vn", "VERB"),
        ("深化放管服改革", "放管服改革", "nz", "PROPN"),
    ],
)
def test_pos_lookup(nlp, text, word, tag, pos):
    tagged = {token.text: (token.tag_, token.pos_) for token in nlp(text)}
    assert tagged[word] == (tag, pos)


def test_pos_can_be_switched_off():
    doc = N.make_nlp(N.SegmentOptions(pos=False))("要加强干部管理")
    assert all(token.tag_ == "" for token in doc)


def test_stopwords_are_for_topics_only(nlp):
    stopwords = N.load_stopwords()
    assert {"的", "进一步", "方面", "，"} <= stopwords
    assert not {"问题", "原因", "建议", "加强", "对策"} & stopwords
    flags = {token.text: token.is_stop for token in nlp("进一步加强基层的问题")}
    assert flags == {"进一步": True, "加强": False, "基层": False, "的": True, "问题": False}


def test_sentences_split_on_terminal_punctuation_and_newlines(nlp):
    doc = nlp("一是人少。“事多！”二是钱少；\n三是考核多")
    assert [span.text for span in N.sentences(doc)] == [
        "一是人少。",
        "“事多！”",
        "二是钱少；\n",
        "三是考核多",
    ]


def test_round_trip_keeps_text_tags_and_sentences(nlp):
    text = "我们在2019年调研了12个乡镇。\n  基层干部反映：编制少、任务重！"
    doc = nlp(text)
    blob = N.doc_to_bytes(doc)
    loaded = N.load_doc(blob, nlp.vocab)
    assert loaded.text == text
    assert [(t.text, t.tag_, t.pos_) for t in loaded] == [(t.text, t.tag_, t.pos_) for t in doc]
    assert [s.text for s in loaded.sents] == [s.text for s in doc.sents]
    assert N.tokens_of(blob) == [(t.text, t.tag_) for t in doc]


def test_segment_texts_keeps_order_and_handles_empty_text():
    texts = ["基层干部反映编制少。", "", "推进乡村振兴。"]
    blobs = N.segment_texts(texts, N.SegmentOptions(n_process=1))
    assert ["".join(word for word, _ in N.tokens_of(blob)) for blob in blobs] == texts


def test_multiprocess_matches_in_process():
    texts = [
        f"第{i}个乡镇反映：容错纠错机制落实难，年轻干部流失{i}人。" * (i % 7 + 1) for i in range(40)
    ]
    in_process = N.segment_texts(texts, N.SegmentOptions(n_process=1))
    forked = N.segment_texts(texts, N.SegmentOptions(n_process=2, parallel_min_chars=0))
    assert [N.tokens_of(b) for b in forked] == [N.tokens_of(b) for b in in_process]


def test_payloads_pack_to_the_blobs_and_locate_their_words():
    from pipeline.stages.segment import located_words

    texts = ["基层干部反映编制少。\n  推进 乡村振兴。", "", "一是加强培训；二是完善机制。" * 3]
    options = N.SegmentOptions(n_process=1, piece_chars=12)  # the last text in pieces
    payloads = N.segment_payloads(texts, options)
    assert [N.payload_to_bytes(p) for p in payloads] == N.segment_texts(texts, options)
    for text, payload in zip(texts, payloads, strict=True):
        words, starts = N.payload_words(payload)
        by_offset = located_words(text, words, starts, same_text=True)
        by_search = located_words(text, words, starts, same_text=False)
        assert by_offset == by_search
        assert all(text.startswith(word, start) for start, word in by_offset)


def test_chunk_ranges_cover_everything_in_order():
    ranges = N._chunk_ranges([5, 1, 1, 8, 2, 3], 3)
    assert ranges[0][0] == 0 and ranges[-1][1] == 6
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_seeds_segment_and_round_trip():
    if not SEEDS.is_dir():
        pytest.skip("../shared/corpus/seeds not present")
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]
    blobs = N.segment_texts(texts, N.SegmentOptions(n_process=2, parallel_min_chars=0))
    assert len(blobs) == len(texts)
    vocab = N.shared_nlp().vocab
    for text, blob in zip(texts, blobs, strict=True):
        assert N.load_doc(blob, vocab).text == text
        tokens = N.tokens_of(blob)
        # nearly every non-space token gets a dictionary or rule tag
        tagged = [tag for word, tag in tokens if not word.isspace()]
        unknown = sum(
            tag == "x" and not N._is_punct(word) for word, tag in tokens if not word.isspace()
        )
        assert unknown / len(tagged) < 0.05


@pytest.mark.parametrize(
    "text",
    ["  前导空格 a b  c\n\n尾部 ", " ", "", "a\u3000b\t\tc \n d", "标题\r\n正文。", "容错 纠错"],
)
def test_words_and_spaces_matches_spacy_aligner(text):
    from spacy.util import get_words_and_spaces

    pieces = list(N.get_segmenter().cut(text))
    assert N.words_and_spaces(pieces) == get_words_and_spaces(pieces, text)
