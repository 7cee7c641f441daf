"""Theme groups merged by their centroids after the cut, and the cuts of each kind."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from pipeline.analysis.themes import ThemeOptions
from pipeline.analysis.themes_linkage import average_linkage, merge_groups


def _wordings(core_cosine: float) -> sparse.csr_matrix:
    """Two wordings of one concern, two units each: a shared core (two directions
    ``core_cosine`` apart) and a word of the unit's own, half of each unit's weight."""
    angle = np.arccos(core_cosine)
    cores = [(1.0, 0.0), (1.0, 0.0), (np.cos(angle), np.sin(angle)), (np.cos(angle), np.sin(angle))]
    rows = [np.r_[core, np.eye(4)[i]] / np.sqrt(2) for i, core in enumerate(cores)]
    return sparse.csr_matrix(np.array(rows))


# core cosine 0.18: each pair across the wordings 0.09, below the cut 0.1; the centroids
# (core + half of each own word) 0.18 / 1.5 = 0.12
@pytest.mark.parametrize("merge_similarity, expected", [
    (0.11, [[0, 1, 2, 3]]),  # the centroids meet
    (0.13, [[0, 1], [2, 3]]),  # they do not reach it
])
def test_groups_whose_centroids_are_alike_merge(merge_similarity, expected):
    matrix = _wordings(0.18)
    groups = average_linkage(matrix, 0.1)
    assert groups == [[0, 1], [2, 3]]
    assert merge_groups(matrix, groups, merge_similarity, 0.1) == expected


def test_a_merge_keeps_one_item_of_a_list():
    matrix = _wordings(0.18)
    lists = np.array([0, 1, 0, 2])  # rows 0 and 2: two items of one report's list
    groups = average_linkage(matrix, 0.1, lists=lists)
    merged = merge_groups(matrix, groups, 0.11, 0.1, lists)
    assert sorted(map(len, merged)) == [1, 3]
    assert not any({0, 2} <= set(group) for group in merged)


def test_single_units_are_not_merged():
    matrix = _wordings(0.18)
    assert merge_groups(matrix, [[0], [1], [2], [3]], 0.01, 0.1) == [[0], [1], [2], [3]]


def test_each_kind_has_its_cut_and_merge_cut():
    options = ThemeOptions(min_similarity=0.1, min_similarity_countermeasure=0.06,
                           merge_similarity=0.15, merge_similarity_countermeasure=0.0)
    assert (options.cut("problem"), options.cut("countermeasure")) == (0.1, 0.06)
    assert (options.merge_cut("problem"), options.merge_cut("countermeasure")) == (0.15, 0.0)


def _concepts(*rows) -> sparse.csr_matrix:
    """Concept-block rows (one column per concept)."""
    return sparse.csr_matrix(np.array(rows, dtype=float))


# The two wordings' centroids meet at 0.12 (merge cut 0.11); whether they merge depends on
# the cosine of their concept centroids against the condition.
@pytest.mark.parametrize("concepts, condition, expected", [
    # one concern in two wordings: both groups name the same concept
    (_concepts((1, 0), (1, 0), (1, 0), (1, 0)), 0.3, [[0, 1, 2, 3]]),
    # two concerns in one frame (……的基础还不牢固): each group its own concept
    (_concepts((1, 0), (1, 0), (0, 1), (0, 1)), 0.3, [[0, 1], [2, 3]]),
    # partly shared: one of the second group's units adds another concept (cosine ≈ 0.95)
    (_concepts((1, 0), (1, 0), (1, 0), (1, 1)), 0.3, [[0, 1, 2, 3]]),
    # a group naming no concept agrees with none
    (_concepts((1, 0), (1, 0), (0, 0), (0, 0)), 0.3, [[0, 1], [2, 3]]),
    # condition 0: concepts are not asked
    (_concepts((1, 0), (1, 0), (0, 1), (0, 1)), 0.0, [[0, 1, 2, 3]]),
])
def test_groups_merge_only_when_their_concepts_agree(concepts, condition, expected):
    matrix = _wordings(0.18)
    groups = average_linkage(matrix, 0.1)
    assert merge_groups(matrix, groups, 0.11, 0.1, None, concepts, condition) == expected


def test_concept_condition_in_the_tree_holds_disagreeing_rows_apart():
    # three alike rows; the third names another concept, so it stays alone
    matrix = sparse.csr_matrix(np.array([[1.0, 0.0], [0.9, 0.1], [0.95, 0.05]]))
    agree = _concepts((1, 0), (1, 0), (0, 1))
    assert average_linkage(matrix, 0.5) == [[0, 1, 2]]
    assert average_linkage(matrix, 0.5, agree=agree, agree_min=0.3) == [[0, 1], [2]]


def test_merge_concept_similarity_default_and_off():
    assert ThemeOptions().merge_concept_similarity == 0.3
    assert ThemeOptions(merge_concept_similarity=0.0).merge_concept_similarity == 0.0
