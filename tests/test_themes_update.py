"""Themes and reused passages between full fits: new units join stored themes, removed go.

Built on the synthetic reports of tests/test_themes.py (written for these tests).
"""

from __future__ import annotations

import pytest

from pipeline.analysis.reuse import ReuseOptions, find_reuse, update_reuse
from pipeline.analysis.themes import ThemeOptions, fit_themes
from pipeline.analysis.themes_update import (
    drift,
    spaces_from_bytes,
    spaces_to_bytes,
    update_themes,
)
from tests.test_themes import R1, R2, R3, R4, R5, P, report

BASE = R1 + R2 + R3 + R4
R6 = report("r6", "寅省卯市", [
    ("乡镇干部收入待遇低", "工资收入低，津贴补贴少，待遇不如县城"),
    ("村医队伍后继乏人", "乡村医生年龄老化，年轻村医招不来留不住"),
])


def fitted(units, kind=P):
    result, space = fit_themes(units, ThemeOptions(), kind)
    return result, spaces_from_bytes(spaces_to_bytes([space]))[kind]  # as stored


@pytest.mark.parametrize(("name", "units", "fresh_docs", "expect"), [
    ("nothing changed", BASE, set(), {"same": True}),
    ("one report added", BASE + R5, {"r5"}, {"joins": {"r5-p1": "r1-p1", "r5-p2": "r1-p2"}}),
    ("a report with a new problem", BASE + R6, {"r6"},
     {"joins": {"r6-p1": "r1-p1"}, "alone": ["r6-p2"]}),
    ("one report removed", R1 + R3 + R4, set(), {"gone": "r2"}),
])
def test_update_themes(name, units, fresh_docs, expect):
    before, space = fitted(BASE)
    after, new_space, stats = update_themes(before, space, units, ThemeOptions(), fresh_docs)
    kept = {u: t for u, t in before.assignments.items() if u in after.assignments}
    # units the stored fit holds keep their theme, and theme ids stay
    assert all(after.assignments[u] == t or t is None or
               not any(u in th.members for th in after.themes) for u, t in kept.items()), name
    assert {t.theme_id for t in after.themes} <= {t.theme_id for t in before.themes}
    assert set(new_space.unit_ids) == set(after.assignments)
    if expect.get("same"):
        assert after.themes == before.themes and dict(after.assignments) == dict(before.assignments)
        assert stats.new_units == 0
    for new, old in expect.get("joins", {}).items():
        assert after.assignments[new] == before.assignments[old] is not None, (name, new)
        theme = next(t for t in after.themes if t.theme_id == after.assignments[new])
        assert new in theme.members and new.split("-")[0] in theme.docs
    for unit in expect.get("alone", ()):
        assert after.assignments[unit] is None  # never forced into a theme
    if "gone" in expect:
        doc = expect["gone"]
        assert not any(u.startswith(doc) for u in after.assignments)
        assert all(doc not in t.docs for t in after.themes)
        assert stats.removed_units > 0


def test_an_update_describes_grown_themes_again():
    before, space = fitted(BASE)
    after, _space, stats = update_themes(before, space, BASE + R5, ThemeOptions(), {"r5"})
    assert stats.new_units == 2 and stats.assigned == 2
    pay = next(t for t in after.themes if "r5-p1" in t.members)
    old = next(t for t in before.themes if t.theme_id == pay.theme_id)
    assert len(pay.members) == len(old.members) + 1 and "子省丑市" in pay.places


def test_items_of_one_new_list_never_join_one_theme():
    before, space = fitted(BASE)
    twins = report("r7", "辰省巳市", [
        ("乡镇干部工资偏低", "工资收入不高，津贴补贴标准低，待遇留不住人"),
        ("基层干部待遇差", "津贴补贴发放不到位，工资收入低于县直部门"),
    ])
    after, _space, _stats = update_themes(before, space, BASE + twins, ThemeOptions(), {"r7"})
    first, second = after.assignments["r7-p1"], after.assignments["r7-p2"]
    assert first is None or first != second


def test_a_theme_left_too_small_is_dissolved():
    before, space = fitted(BASE)
    theme = min(before.themes, key=lambda t: (len(t.members), t.theme_id))
    gone = set(theme.docs[1:])  # one report of it stays
    units = [u for u in BASE if u.doc_id not in gone]
    after, _space, stats = update_themes(before, space, units, ThemeOptions())
    assert theme.theme_id not in {t.theme_id for t in after.themes}
    assert stats.dissolved >= 1
    assert all(after.assignments[m] is None for m in theme.members if m in after.assignments)


@pytest.mark.parametrize(("at_fit", "now", "changed"), [
    ({"a": "1", "b": "1"}, {"a": "1", "b": "1"}, 0),
    ({"a": "1", "b": "1"}, {"a": "1", "b": "1", "c": "1"}, 1),  # added
    ({"a": "1", "b": "1"}, {"a": "1"}, 1),  # removed
    ({"a": "1", "b": "1"}, {"a": "1", "b": "2"}, 1),  # changed
])
def test_drift_counts_documents_added_removed_or_changed(at_fit, now, changed):
    assert drift(at_fit, now).changed == changed
    assert drift(at_fit, now).share == changed / len(at_fit)


TEMPLATE = ("各乡镇要严格落实河长制工作要求，建立健全巡河制度，"
            "定期开展河道清理整治行动，确保河道畅通水质达标")

OTHER = "完全不同的一段文字，说的是农村公路养护资金的来源问题和解决办法"


@pytest.mark.parametrize(("name", "before", "after", "redo"), [
    ("a copy added", [("a", "a1", TEMPLATE), ("b", "b1", TEMPLATE + "。")],
     [("a", "a1", TEMPLATE), ("b", "b1", TEMPLATE + "。"), ("c", "c1", "。" + TEMPLATE)], ()),
    ("a copy removed", [("a", "a1", TEMPLATE), ("b", "b1", TEMPLATE), ("c", "c1", TEMPLATE)],
     [("a", "a1", TEMPLATE), ("c", "c1", TEMPLATE)], ()),
    ("the middle of a chain removed",
     [("a", "a1", TEMPLATE), ("b", "b1", TEMPLATE[5:] + "加强监督考核"),
      ("c", "c1", TEMPLATE[12:] + "加强监督考核问责到人")],
     [("a", "a1", TEMPLATE), ("c", "c1", TEMPLATE[12:] + "加强监督考核问责到人")], ()),
    ("a copy changed", [("a", "a1", TEMPLATE), ("b", "b1", TEMPLATE)],
     [("a", "a1", TEMPLATE), ("b", "b1", OTHER)],
     ("b",)),
])
def test_update_reuse_ends_where_a_full_search_would(name, before, after, redo):
    options = ReuseOptions()
    digests: list = []
    clusters = find_reuse(before, options, signatures=digests)
    stored = {unit: d for (_doc, unit, _t), d in zip(sorted(before), digests, strict=True)}
    updated, _digests = update_reuse(clusters, stored, after, options, redo)
    expected = find_reuse(after, options)
    assert [c.members for c in updated] == [c.members for c in expected], name


def test_assignment_report_by_report_equals_all_at_once(monkeypatch):
    from pipeline.analysis import themes_update

    before, space = fitted(BASE)
    after_all, _s, _n = update_themes(before, space, BASE + R5 + R6, ThemeOptions(), {"r5", "r6"})
    monkeypatch.setattr(themes_update, "ASSIGN_BATCH", 1)  # one report per batch
    after_each, _s, _n = update_themes(before, space, BASE + R5 + R6, ThemeOptions(),
                                       {"r5", "r6"})
    assert dict(after_each.assignments) == dict(after_all.assignments)


def test_centrality_from_the_vector_sum_equals_the_square(monkeypatch):
    import numpy as np
    from scipy import sparse

    from pipeline.analysis import themes

    vectors = sparse.random(40, 30, density=0.3, random_state=1, format="csr")
    dense_mean, dense_cohesion = themes._centrality(vectors)
    monkeypatch.setattr(themes, "DENSE_THEME_MAX", 0)
    summed_mean, summed_cohesion = themes._centrality(vectors)
    assert np.allclose(dense_mean, summed_mean, atol=1e-5)
    assert abs(dense_cohesion - summed_cohesion) < 1e-5


def test_a_fit_beyond_max_fit_units_clusters_a_sample_and_assigns_the_rest():
    from pipeline.stages.graph_themes import fit_bounded

    units = BASE + R5
    whole, _space = fit_themes(units, ThemeOptions(), P)
    assert fit_bounded(units, ThemeOptions(max_fit_units=0), P)[0] == whole
    bounded, space = fit_bounded(units, ThemeOptions(max_fit_units=6), P)
    assert set(space.unit_ids) == set(whole.assignments) == set(bounded.assignments)
    fitted_docs = {d for t in bounded.themes for d in t.docs}
    assert len(fitted_docs) > 1  # themes across the sample's reports, others joined them
    with pytest.raises(ValueError):
        ThemeOptions(max_fit_units=-1)


def _assign_all_pairs(fresh, new_matrix, kept, old_matrix, theme_of, cut):
    """The assignment as first written: every unit × theme pair above the cut, sorted."""
    import numpy as np
    from scipy import sparse

    theme_ids = sorted({t for t in theme_of.values() if t})
    members = {t: [i for i, u in enumerate(kept) if theme_of[u.unit_id] == t] for t in theme_ids}
    means = sparse.vstack([sparse.csr_matrix(old_matrix[members[t]].mean(axis=0))
                           for t in theme_ids])
    similarity = np.asarray((new_matrix @ means.T).todense())
    points = {u.unit_id for u in kept} | {u.unit_id for u in fresh}
    pairs = sorted((-similarity[i, j], fresh[i].unit_id, theme_ids[j], i)
                   for i, j in zip(*np.nonzero(similarity >= cut), strict=True))
    joined, taken = {u.unit_id: None for u in fresh}, set()
    for _negative, unit_id, theme_id, i in pairs:
        unit = fresh[i]
        parent = unit.parent_id if unit.parent_id not in points else unit.unit_id
        if joined[unit_id] is not None or (theme_id, unit.doc_id, parent) in taken:
            continue
        joined[unit_id] = theme_id
        taken.add((theme_id, unit.doc_id, parent))
    return joined


@pytest.mark.parametrize("seed", range(5))
def test_assignment_among_each_units_best_themes_equals_all_pairs(seed):
    import numpy as np
    from scipy import sparse

    from pipeline.analysis.links import GraphUnit
    from pipeline.analysis.themes_update import _assign

    rng = np.random.default_rng(seed)

    def unit(uid, doc, parent):
        return GraphUnit(uid, doc, parent, P, "", None, uid, uid, (), 0, "", None)

    kept = [unit(f"k{i}", f"old{i % 7}", None) for i in range(60)]
    theme_of = {u.unit_id: f"T{int(rng.integers(0, 12)):02d}" for u in kept}
    # fresh reports with lists of up to five siblings, some near-identical rows (ties)
    fresh = [unit(f"f{i:03d}", f"new{i // 9}", f"p{i // 3}") for i in range(90)]
    old = sparse.random(60, 25, density=0.4, random_state=seed, format="csr")
    new = sparse.random(90, 25, density=0.4, random_state=seed + 100, format="csr")
    new = sparse.vstack([new[0], new[0], new[2:]]).tocsr()  # a tie: two equal rows
    expected = _assign_all_pairs(fresh, new, kept, old, theme_of, 0.05)
    got = _assign(fresh, new, kept, old, theme_of, ThemeOptions(), 0.05)
    assert got == expected
    assert sum(t is not None for t in got.values()) > 30  # the case is not vacuous
