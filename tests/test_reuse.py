"""Reused passages: the vectorised exact Jaccard and the MinHash screen (synthetic text)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from pipeline.analysis import reuse

PHRASES = ["加强基层队伍建设", "完善考核激励机制", "落实待遇保障政策", "推进数字乡村建设",
           "优化营商环境服务", "健全矛盾纠纷化解", "提升公共服务水平", "强化财政资金监管"]


def passages(count: int, seed: int = 7) -> list[str]:
    """Invented passages built from shared phrases, so that pairs span every Jaccard."""
    rng = random.Random(seed)
    return ["，".join(rng.sample(PHRASES, rng.randint(2, 6))) + f"第{i}条" for i in range(count)]


@pytest.mark.parametrize("threshold", [0.3, 0.6, 0.9])
def test_exact_matches_give_the_jaccard_of_the_sets(threshold):
    texts = passages(40)
    shingles = [reuse.shingle_set(t, 4) for t in texts]
    rows = reuse._ShingleRows(shingles)
    candidates = np.arange(1, len(texts))
    found = dict(rows.exact_matches(0, candidates, threshold))
    expected = {i: reuse.jaccard(shingles[0], shingles[i]) for i in range(1, len(texts))}
    assert found == {i: s for i, s in expected.items() if s >= threshold}


def test_the_screen_never_drops_a_pair_at_the_threshold():
    options = reuse.ReuseOptions()
    texts = passages(60, seed=11)
    digests = np.array([reuse.signature_of(t, options) for t in texts], dtype=np.uint32)
    shingles = [reuse.shingle_set(t, options.shingle_chars) for t in texts]
    for index in range(len(texts)):
        others = np.array([i for i in range(len(texts)) if i != index])
        kept = set(reuse.likely_pairs(digests, index, others, options).tolist())
        close = {i for i in others.tolist()
                 if reuse.jaccard(shingles[index], shingles[i]) >= options.threshold}
        assert close <= kept


@pytest.mark.parametrize("margin", [0.0, 0.25, 1.0])
def test_clusters_do_not_depend_on_the_screen_for_clear_copies(margin):
    texts = passages(30, seed=3)
    paragraphs = [(f"d{i % 10}", f"u{i}", t) for i, t in enumerate(texts)]
    paragraphs += [("copy", "c0", texts[0]), ("copy2", "c1", texts[0] + "。")]
    options = reuse.ReuseOptions(screen_margin=margin, min_chars=10)
    clusters = reuse.find_reuse(paragraphs, options)
    holding = [c for c in clusters if ("copy", "c0") in c.members]
    assert holding and ("copy2", "c1") in holding[0].members


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_checking_cluster_by_cluster_finds_what_checking_all_candidates_finds(seed, monkeypatch):
    # passages built from few phrases: many overlap, many clusters and copies of copies
    texts = passages(120, seed=seed)
    paragraphs = [(f"d{i % 40}", f"u{i:03d}", t) for i, t in enumerate(texts)]
    options = reuse.ReuseOptions(threshold=0.4, min_chars=10)
    signatures_all: list = []
    at_once = reuse.find_reuse(paragraphs, options, signatures=signatures_all)
    monkeypatch.setattr(reuse, "CHECK_ALL_UP_TO", 0)  # cluster by cluster, always
    signatures_each: list = []
    each = reuse.find_reuse(paragraphs, options, signatures=signatures_each)
    assert each == at_once
    assert [list(s) for s in signatures_each] == [list(s) for s in signatures_all]
    assert sum(len(c.members) for c in at_once) > 20  # the case is not vacuous


@pytest.mark.parametrize(("seed", "num_bands"), [(1, 32), (2, 16), (3, 64)])
def test_the_band_index_proposes_what_rensas_lsh_proposes(seed, num_bands):
    from rensa import RMinHash, RMinHashLSH

    options = reuse.ReuseOptions(num_bands=num_bands)
    texts = passages(80, seed=seed) + passages(5, seed=seed)  # some exact copies too
    lsh = RMinHashLSH(options.threshold, options.num_perm, num_bands)
    digests, expected = [], []
    for index, text in enumerate(texts):
        signature = RMinHash(options.num_perm, options.seed)
        signature.update(sorted(reuse.shingle_set(text, options.shingle_chars)))
        digests.append(signature.digest())
        expected.append(sorted(lsh.query(signature)))
        lsh.insert(index, signature)
    bands = reuse._BandIndex(np.array(digests, dtype=np.uint32), num_bands)
    found = [bands.earlier_sharing_a_band(i).tolist() for i in range(len(texts))]
    assert found == expected
    assert sum(map(len, found)) > 5  # more than the five copies: not vacuous


@pytest.mark.parametrize("joins", [[(0, 1), (2, 3), (1, 3)], [(4, 0), (0, 4), (3, 2)], []])
def test_the_partition_joins_sets_as_union_find_does(joins):
    sets = reuse._Partition(6)
    for a, b in joins:
        sets.union(a, b)
    groups: list[set[int]] = [{i} for i in range(6)]
    for a, b in joins:
        ga = next(g for g in groups if a in g)
        gb = next(g for g in groups if b in g)
        if ga is not gb:
            groups.remove(gb)
            ga |= gb
    expected = {frozenset(g) for g in groups}
    by_label: dict[int, set[int]] = {}
    for row in range(6):
        by_label.setdefault(sets.find(row), set()).add(row)
    assert {frozenset(g) for g in by_label.values()} == expected


def test_a_band_index_reads_at_most_its_cap_of_a_band():
    digests = np.tile(np.arange(128, dtype=np.uint32), (50, 1))  # fifty copies: one bucket
    bands = reuse._BandIndex(digests, 32, max_members=10)
    assert bands.earlier_sharing_a_band(40).tolist() == list(range(10))
    assert bands.earlier_sharing_a_band(5).tolist() == list(range(5))
    assert reuse._BandIndex(digests, 32).earlier_sharing_a_band(40).tolist() == list(range(40))


@pytest.mark.parametrize("cap", [0, 3, 300])
def test_a_template_copied_into_many_reports_is_one_cluster_whatever_the_cap(cap):
    template = "加强基层干部队伍建设，完善考核激励机制，落实待遇保障政策，{}县推动乡镇干部交流轮岗"
    counties = ["临泽", "高台", "山丹", "民乐", "肃南", "甘州", "金塔", "瓜州", "敦煌", "玉门",
                "阿克塞", "肃北", "永昌", "民勤", "古浪", "天祝"]
    paragraphs = [(f"d{i}", f"u{i}", template.format(name)) for i, name in enumerate(counties)]
    paragraphs.append(("other", "x", "推进数字乡村建设，优化营商环境服务，健全矛盾纠纷化解机制"))
    clusters = reuse.find_reuse(paragraphs, reuse.ReuseOptions(max_band_members=cap))
    assert [len(c.members) for c in clusters] == [len(counties)]
