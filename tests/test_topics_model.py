"""The topic-model library on small planted corpora: K choice, seeds, reproducibility, places."""

from __future__ import annotations

import dataclasses
import os
import stat

import numpy as np
import pytest

from pipeline.analysis.topics import (
    CHROME_WORDS,
    TooSmall,
    TopicInput,
    TopicOptions,
    doc_topics,
    fit,
    fold_in,
    is_content,
    join_phrases,
    prepare,
)
from pipeline.analysis.topics_export import (
    describe,
    model_from_bytes,
    model_to_bytes,
    write_doc_topics_csv,
    write_region_topics_csv,
    write_topic_map_html,
    write_topics_json,
)
from pipeline.analysis.topics_prevalence import (
    contrasts,
    contrasts_of_levels,
    place_of,
    prevalence,
)
from pipeline.analysis.topics_select import (
    match_topics,
    needs_refit,
    select_and_fit,
    select_k,
    top_terms,
)

GROUPS = {
    "water": "河长 水质 河道 污水 排污 水库 水源 湿地 巡河 水环境 断面 黑臭 清淤 流域 岸线 防汛",
    "school": "学校 教师 学生 课堂 教育 课程 校舍 师资 教学 考试 辍学 寄宿 校长 班级 家长 作业",
    "health": "医院 医生 患者 医保 药品 卫生院 诊疗 床位 护士 门诊 慢病 疫苗 签约 报销 住院 村医",
}
PROVINCES = {"water": "浙江省", "school": "河南省", "health": "甘肃省"}
# Chrome words tagged as verbs/nouns, as jieba tags them, so only the chrome list stops them.
NOISE = [("下载", "v"), ("打印", "v"), ("字号", "n"), ("来源", "n"), ("的", "uj"), ("2019年", "m")]
STOPWORDS = ("的",)

# Small but real: every stage of the search runs, in about a second.
FAST = TopicOptions(k_min=2, k_max=5, passes=5, screen_passes=2, finalists=2,
                    stability_seeds=2, bootstrap=200)


def planted(n_per: int = 12, length: int = 50, seed: int = 1) -> list[TopicInput]:
    """Three groups of reports with disjoint vocabularies, sprinkled with chrome words."""
    rng = np.random.default_rng(seed)
    items = []
    for group, vocabulary in GROUPS.items():
        words = vocabulary.split()
        weights = 1.0 / np.arange(1, len(words) + 1) ** 0.7
        for i in range(n_per):
            tokens: list[tuple[str, str]] = []
            for word in rng.choice(words, length, p=weights / weights.sum()):
                tokens.append((str(word), "n"))
                if rng.random() < 0.3:  # chrome as frequent as the top topic words
                    tokens.append(NOISE[int(rng.integers(len(NOISE)))])
            items.append(TopicInput(
                item_id=f"{group}-{i:02d}", doc_id=f"doc-{group}-{i // 2}",
                words=tuple(w for w, _ in tokens), tags=tuple(t for _, t in tokens),
                quote=f"{group} report {i}", source=f"{group}{i}.txt",
                province=PROVINCES[group] if i % 4 else None, city=None, county=None,
                year=2020 + i % 3,
            ))
    return items


def group_of(word: str) -> str:
    return next(name for name, vocabulary in GROUPS.items() if word in vocabulary.split())


@pytest.fixture(scope="module")
def corpus():
    items = planted()
    prepared = prepare(items, FAST, STOPWORDS)
    selection, model = select_and_fit(prepared, FAST)
    return items, prepared, selection, model


def test_planted_groups_give_three_topics_with_their_own_words(corpus):
    _, prepared, selection, model = corpus
    assert selection.k == 3 and model.k == 3
    assert set(selection.curve) == {2, 3, 4, 5}
    assert {f.k for f in selection.finalists} >= {3}
    groups_found = set()
    for row in top_terms(model.topic_term, 8):
        groups = {group_of(model.vocab[i]) for i in row}
        assert len(groups) == 1  # no topic mixes two planted groups
        groups_found |= groups
    assert groups_found == set(GROUPS)


def test_select_k_fixed_k_skips_the_search(corpus):
    _, prepared, _, _ = corpus
    selection = select_k(prepared, dataclasses.replace(FAST, k=4))
    assert selection.k == 4 and selection.rule == "fixed by options.k"
    assert selection.screened == () and selection.model is None


def test_chrome_words_never_reach_the_vocabulary_or_top_terms(corpus):
    _, prepared, _, model = corpus
    assert not set(prepared.vocab) & (CHROME_WORDS | {"的", "2019年"})
    summaries = describe(model, prepared, doc_topics(model, prepared), prepared.items, FAST)
    listed = {term.term for summary in summaries for term in summary.terms}
    assert not listed & {"下载", "打印", "字号", "来源"}


@pytest.mark.parametrize(
    ("word", "tag", "kept"),
    [
        ("乡村", "n", True),
        ("下载", "v", False),  # site chrome
        ("的", "uj", False),  # tag not kept
        ("是", "v", False),  # one character
        ("2019年", "n", False),  # number with a unit
        ("十五", "n", False),  # Chinese numeral
        ("5G", "eng", True),  # letters and digits are a word
        ("张三", "nr", False),  # person names are not topics
    ],
)
def test_is_content(word, tag, kept):
    options = TopicOptions()
    assert is_content(word, tag, options, CHROME_WORDS | {"的"}) is kept


def test_frequent_bigrams_become_phrases():
    base = planted(n_per=6)
    items = [dataclasses.replace(item, words=item.words + ("乡村", "振兴"),
                                 tags=item.tags + ("n", "v")) for item in base]
    prepared = prepare(items, FAST, STOPWORDS)
    assert ("乡村", "振兴") in prepared.phrases
    joined = join_phrases(["推进", "乡村", "振兴"], frozenset(prepared.phrases))
    assert joined == ["推进", "乡村振兴"]


def test_seed_topics_keep_their_words_and_names():
    options = dataclasses.replace(FAST, k=3, seed_topics={"水治理": ("水质", "污水", "河道")})
    prepared = prepare(planted(), options, STOPWORDS)
    model = fit(prepared, 3, options, options.seed)
    assert model.topic_names == ("水治理", "", "")
    top = {model.vocab[i] for i in top_terms(model.topic_term, 5)[0]}
    assert {"水质", "污水", "河道"} <= top
    summary = describe(model, prepared, doc_topics(model, prepared), prepared.items, options)[0]
    assert summary.label == "水治理" and summary.name == "水治理"


def test_missing_seed_words_are_reported():
    options = dataclasses.replace(FAST, seed_topics={"x": ("不存在的词", "水质")})
    prepared = prepare(planted(n_per=6), options, STOPWORDS)
    assert fit(prepared, 3, options, 1).missing_seeds == ("不存在的词",)


def run_outputs(tmp_path, name: str) -> dict[str, bytes]:
    """The whole library path once, returning the bytes of every file written."""
    items = planted()
    prepared = prepare(items, FAST, STOPWORDS)
    selection, model = select_and_fit(prepared, FAST)
    shares = doc_topics(model, prepared)
    summaries = describe(model, prepared, shares, prepared.items, FAST)
    out = tmp_path / name
    out.mkdir()
    write_topics_json(out / "topics.json", selection, summaries, [(0, 0, 1.0)])
    write_doc_topics_csv(out / "doc_topics.csv", prepared.items, shares)
    rows = prevalence(shares, prepared.items, "province", FAST)
    write_region_topics_csv(out / "region_topics.csv", rows, summaries)
    write_topic_map_html(out / "topic_map.html", model, prepared, summaries, FAST)
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_two_runs_write_identical_bytes(tmp_path):
    first, second = run_outputs(tmp_path, "a"), run_outputs(tmp_path, "b")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE((tmp_path / "a" / "topics.json").stat().st_mode) == 0o666 & ~mask
    assert list(first) == ["doc_topics.csv", "region_topics.csv", "topic_map.html",
                           "topics.json"]  # and no temporary files left behind
    assert first == second
    assert first["doc_topics.csv"].startswith(b"\xef\xbb\xbfitem_id,doc_id,")
    html = first["topic_map.html"].decode("utf-8")
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html and "<script src" not in html


def test_fold_in_leaves_the_model_alone_and_places_new_items(corpus):
    items, prepared, _, model = corpus
    before = model_to_bytes(model)
    shares = doc_topics(model, prepared)
    school_topic = int(np.argmax(shares[[i for i, it in enumerate(prepared.items)
                                         if it.item_id.startswith("school")]].mean(axis=0)))
    new = TopicInput(item_id="new-1", doc_id="new", words=("学校", "教师", "学生", "下载", "课堂"),
                     tags=("n", "n", "n", "v", "n"), quote="", source="new.txt")
    empty = dataclasses.replace(new, item_id="new-2", words=("下载",), tags=("v",))
    inferred = fold_in(model, [new, empty, prepared.items[0]], FAST, STOPWORDS)
    assert model_to_bytes(model) == before
    assert [it.item_id for it in inferred.items] == ["new-1", prepared.items[0].item_id]
    assert inferred.dropped == ("new-2",)
    assert int(np.argmax(inferred.doc_topic[0])) == school_topic
    assert inferred.doc_topic[0, school_topic] > 0.8
    np.testing.assert_allclose(inferred.doc_topic[1], shares[0])  # same as in the fit
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)


def test_model_bytes_round_trip_and_fold_in(corpus):
    items, prepared, _, model = corpus
    loaded = model_from_bytes(model_to_bytes(model))
    assert loaded.vocab == model.vocab and loaded.phrases == model.phrases
    np.testing.assert_array_equal(loaded.lam, model.lam)
    np.testing.assert_array_equal(
        fold_in(loaded, items[:5], FAST, STOPWORDS).doc_topic,
        fold_in(model, items[:5], FAST, STOPWORDS).doc_topic,
    )
    with pytest.raises(ValueError):
        model_from_bytes(b"not a model")


def test_match_topics_undoes_a_permutation():
    rng = np.random.default_rng(3)
    old_vocab = [f"w{i}" for i in range(40)]
    old = rng.dirichlet(np.full(40, 0.1), size=4)
    perm = [2, 0, 3, 1]  # new topic i is old topic perm[i]
    new_vocab = old_vocab[::-1] + ["new1", "new2"]  # reordered, and two unseen words
    new = np.zeros((5, 42))
    for i, o in enumerate(perm):
        new[i, :40] = old[o][::-1] * 0.95
        new[i, 40:] = 0.025
    new[4, 40:] = 0.5  # a topic of only new words: no predecessor
    mapping = match_topics(old, new, old_vocab, new_vocab)
    assert [(n, o) for n, o, _ in mapping] == [(0, 2), (1, 0), (2, 3), (3, 1), (4, None)]
    assert all(sim > 0.9 for _, o, sim in mapping if o is not None)


def _docs(n: int, start: int = 0, key: str = "k") -> dict[str, str]:
    return {f"d{i}": key for i in range(start, start + n)}


@pytest.mark.parametrize(
    ("last", "now", "refit"),
    [({}, _docs(10), True), ({}, {}, False),
     (_docs(100), _docs(125), False),  # 25 added: 25 %
     (_docs(100), _docs(126), True),
     (_docs(100), _docs(70), True),  # 30 removed
     (_docs(100), {**_docs(90), **_docs(20, 100)}, True),  # 10 replaced by 20: 30 changes
     (_docs(100), {**_docs(100), "d0": "other"}, False),  # one changed
     (_docs(100), _docs(100, key="other"), True)],  # all changed, count unchanged
)
def test_needs_refit(last, now, refit):
    assert needs_refit(last, now, TopicOptions(refit_share=0.25)) is refit


def test_prevalence_counts_unknown_places_and_brackets_the_mean(corpus):
    items, prepared, _, model = corpus
    shares = doc_topics(model, prepared)
    rows = prevalence(shares, prepared.items, "province", FAST)
    places = {row.place for row in rows}
    assert places == {"浙江省", "河南省", "甘肃省", "unknown"}
    unknown = [row for row in rows if row.place == "unknown"]
    assert unknown[0].n_items == sum(1 for item in prepared.items if item.province is None)
    for row in rows:
        assert row.ci_low <= row.mean <= row.ci_high
    by_place = {}
    for row in rows:
        by_place.setdefault(row.place, []).append(row.mean)
    assert all(abs(sum(means) - 1.0) < 1e-5 for means in by_place.values())
    assert prevalence(shares, prepared.items, "province", FAST) == rows  # seeded: repeatable
    years = {row.place for row in prevalence(shares, prepared.items, "year", FAST)}
    assert years == {"2020", "2021", "2022"}


def test_place_of_keeps_parents_and_never_guesses():
    item = TopicInput("i", "d", (), (), "", "", province="吉林省", city="长春市", county="朝阳区")
    assert place_of(item, "county") == ("朝阳区", "吉林省/长春市")
    assert place_of(dataclasses.replace(item, city=None), "city") == ("unknown", "")
    assert place_of(dataclasses.replace(item, year=None), "year") == ("unknown", "")
    with pytest.raises(ValueError):
        place_of(item, "town")


def test_contrasts_find_the_planted_place_topic(corpus):
    _, prepared, _, model = corpus
    shares = doc_topics(model, prepared)
    found = contrasts(shares, prepared.items, "province", FAST, top=3)
    assert len(found) == 3
    assert all(c.clear and abs(c.difference) > 0.5 for c in found)
    assert all(c.ci_low <= c.difference <= c.ci_high for c in found)
    assert [abs(c.difference) for c in found] == sorted((abs(c.difference) for c in found),
                                                        reverse=True)


@pytest.mark.parametrize("levels, top, jobs", [
    (("province",), 3, 1),
    (("province",), 3, 2),
    (("province", "city", "county"), 10, 2),
    (("county",), 0, 2),
])
def test_contrasts_of_levels_are_each_levels_contrasts_wherever_they_run(corpus, levels, top,
                                                                         jobs):
    _, prepared, _, model = corpus
    shares = doc_topics(model, prepared)
    expected = [c for level in levels
                for c in contrasts(shares, prepared.items, level, FAST, top=top)]
    assert contrasts_of_levels(shares, prepared.items, levels, FAST, top=top,
                               jobs=jobs) == expected


def test_too_small_corpora_say_why():
    with pytest.raises(TooSmall, match="items"):
        prepare(planted(n_per=1)[:2], FAST, STOPWORDS)
    tiny = [TopicInput(f"i{i}", "d", ("水质", "污水"), ("n", "n"), "", "") for i in range(5)]
    with pytest.raises(TooSmall, match="terms"):
        prepare(tiny, dataclasses.replace(FAST, no_above=1.0), STOPWORDS)


def test_describe_reports_size_terms_and_distinct_examples(corpus):
    _, prepared, _, model = corpus
    summaries = describe(model, prepared, doc_topics(model, prepared), prepared.items, FAST)
    assert [s.topic for s in summaries] == [0, 1, 2]
    assert abs(sum(s.token_share for s in summaries) - 1.0) < 1e-5
    for summary in summaries:
        assert len(summary.terms) == 10 and summary.coherence > 0.3
        assert len(summary.label.split("、")) == 3
        docs = [rep.doc_id for rep in summary.representatives]
        assert len(docs) == 3 and len(set(docs)) == 3  # one example per document first
        groups = {group_of(t.term) for t in summary.terms}
        assert len(groups) == 1


def test_options_take_toml_lists_and_reject_nonsense():
    options = TopicOptions(seed_topics={"水": ["水质", "污水"]})
    assert options.seed_topics == {"水": ("水质", "污水")}
    with pytest.raises(ValueError):
        TopicOptions(k_step=0)
    with pytest.raises(ValueError):
        TopicOptions(ci=1.5)


def test_candidate_fits_on_two_processes_equal_the_fits_in_one(corpus):
    _, prepared, _, _ = corpus
    options = dataclasses.replace(FAST, k=0, k_min=2, k_max=4, stability_seeds=2, finalists=2)
    one = select_k(prepared, options, jobs=1)
    two = select_k(prepared, options, jobs=2)
    assert (one.k, one.screened, one.finalists) == (two.k, two.screened, two.finalists)
    assert np.array_equal(one.model.lam, two.model.lam)
