"""Theme scores of ``diaoyan eval``: pairs among development documents apart from the
pairs that involve a held-out one (theme gold spans documents, so a part is a set of
pairs)."""

from __future__ import annotations

import copy

import pytest

from pipeline.analysis.themes import score_themes
from pipeline.outputs.graph_scores import theme_agreement, theme_scores
from pipeline.records import Document, Unit

# Three invented reports, one concern each side: a.txt and b.txt are development
# documents, c.txt is held out.
HEADLINES = {"a.txt": ("干部待遇偏低", "提高工资待遇"),
             "b.txt": ("基层收入水平不高", "落实津贴补贴"),
             "c.txt": ("薪酬激励不足", "完善薪酬制度")}
GOLD = {"docs": {}, "themes": [
    {"name": "pay", "side": "problem",
     "members": [[name, problem] for name, (problem, _) in HEADLINES.items()]},
    {"name": "pay measures", "side": "countermeasure",
     "members": [[name, measure] for name, (_, measure) in HEADLINES.items()]},
]}


def _run() -> tuple[list[Document], dict[str, list[Unit]]]:
    docs, units_by_doc = [], {}
    for number, (name, headlines) in enumerate(HEADLINES.items()):
        doc_id = f"d{number}"
        docs.append(Document(doc_id=doc_id, source=name, status="ok"))
        units_by_doc[doc_id] = [Unit(doc_id, f"{doc_id}-{side}", None, 1, "", headline,
                                     0, 1, "heading")
                                for side, headline in zip("pc", headlines, strict=True)]
    return docs, units_by_doc


# assignments: which units share a theme; expected: (pairs, F1) per part, both sides
@pytest.mark.parametrize("assignments, part, expected", [
    # a and b meet, c stays alone: dev pairs right, held-out pairs (a–c, b–c) missed
    ({"d0-p": "T", "d1-p": "T", "d2-p": None}, "dev", (1, 1.0)),
    ({"d0-p": "T", "d1-p": "T", "d2-p": None}, "heldout", (2, 0.0)),
    ({"d0-p": "T", "d1-p": "T", "d2-p": None}, "all", (3, 0.5)),
    # all three meet: every part perfect
    ({"d0-p": "T", "d1-p": "T", "d2-p": "T"}, "heldout", (2, 1.0)),
])
def test_theme_pairs_split_by_held_out_documents(assignments, part, expected):
    docs, units_by_doc = _run()
    scores = theme_scores(docs, units_by_doc, assignments, GOLD, {"c.txt"}, part)
    assert (scores["problem"]["pairs"], scores["problem"]["f1"]) == expected


def test_score_themes_keeps_only_chosen_pairs():
    groups = {"g": [("d0", "u0"), ("d1", "u1"), ("d2", "u2")]}
    same = {"u0": "T", "u1": "T", "u2": "T"}
    assert score_themes(same, groups)["pairs"] == 3
    assert score_themes(same, groups, lambda a, b: "d2" not in (a, b))["pairs"] == 1


def test_two_annotations_agree_pairwise_as_a_run_is_scored():
    assert theme_agreement(GOLD["themes"], GOLD["themes"])["all"]["f1"] == 1.0
    # a second annotator who parts c.txt's problem from the others: 1 of 3 pairs kept
    split = copy.deepcopy(GOLD["themes"])
    split[0]["members"].pop()
    scores = theme_agreement(GOLD["themes"], split)
    assert scores["problem"]["precision"] == 1.0
    assert scores["problem"]["recall"] == pytest.approx(1 / 3, abs=1e-3)
    assert scores["countermeasure"]["f1"] == 1.0
