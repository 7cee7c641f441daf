"""Tests of how eval compares a document's region and title with the gold."""

import pytest

from pipeline.outputs.evaluate import metadata_checks
from pipeline.outputs.scoring import metadata_shares
from pipeline.records import Document, Region


@pytest.mark.parametrize(
    ("region", "gold", "ok"),
    [
        # a municipality district: the store repeats the municipality as the city level
        (Region("上海市", "上海市", "青浦区", "310118"), "上海市青浦区", True),
        (Region("上海市", None, None, "310000"), "上海市", True),
        (Region("浙江省", "宁波市", "慈溪市", "330282"), "浙江省宁波市慈溪市", True),
        (Region("浙江省", "宁波市", None, "330200"), "浙江省宁波市慈溪市", False),
        (Region("浙江省", "宁波市", None, "330200"), "浙江省", False),  # the level counts
        (Region(), None, True),
        (Region("浙江省", None, None, "330000"), None, False),
    ],
)
def test_region_check(region, gold, ok):
    doc = Document("d", "a.txt", "ok", region=region)
    assert metadata_checks(doc, {"region": gold})["region_ok"] is ok


def test_title_check_ignores_spacing_and_width():
    doc = Document("d", "a.txt", "ok", title="政 府 工 作 报 告")
    assert metadata_checks(doc, {"title": "政府工作报告"})["title_ok"] is True


@pytest.mark.parametrize(
    ("year", "gold", "ok"),
    [(2030, {"year": 2030}, True), (2030, {"year": None}, False), (None, {"year": None}, True),
     (None, {"year": 2030}, False)],
)
def test_year_check(year, gold, ok):
    doc = Document("d", "a.txt", "ok", year=year)
    assert metadata_checks(doc, gold)["year_ok"] is ok


@pytest.mark.parametrize(
    ("authors", "gold", "ok", "right", "extracted", "expected"),
    [
        (("甄一鸣",), {"authors": ["甄一鸣"]}, True, 1, 1, 1),
        (("覃 远", "甄一鸣"), {"authors": ["甄一鸣", "覃远"]}, True, 2, 2, 2),  # order, spacing
        ((), {"authors": ["甄一鸣"]}, False, 0, 0, 1),
        (("甄一鸣", "某县课题组"), {"authors": ["甄一鸣"]}, False, 1, 2, 1),
        ((), {"year": 2030}, True, 0, 0, 0),  # year without authors: the text names none
        (("甄一鸣",), {"year": None}, False, 0, 1, 0),
        (("甄一鸣",), {"authors": None, "year": 2030}, False, 0, 1, 0),
    ],
)
def test_author_check(authors, gold, ok, right, extracted, expected):
    checks = metadata_checks(Document("d", "a.txt", "ok", authors=authors), gold)
    assert (checks["authors_ok"], checks["authors_right"], checks["authors_extracted"],
            checks["authors_gold"]) == (ok, right, extracted, expected)


def test_authors_are_not_scored_without_year_or_authors_in_the_gold():
    checks = metadata_checks(Document("d", "a.txt", "ok", authors=("甄一鸣",)), {"region": None})
    assert "authors_ok" not in checks and "year_ok" not in checks


def test_metadata_shares_give_year_and_author_scores():
    per_doc = {
        "a": {"year_ok": True, **_authors(True, 1, 1, 1)},
        "b": {"year_ok": False, **_authors(False, 1, 2, 1)},
        "c": {"year_ok": True, **_authors(False, 0, 0, 2)},
        "d": {"region_ok": True},
    }
    shares = metadata_shares({"per_doc": per_doc})
    assert (shares["year_accuracy"], shares["year_docs"]) == (round(2 / 3, 4), 3)
    assert (shares["authors_accuracy"], shares["authors_docs"]) == (round(1 / 3, 4), 3)
    assert (shares["authors_precision"], shares["authors_recall"]) == (round(2 / 3, 4), 0.5)
    assert (shares["region_accuracy"], shares["title_accuracy"]) == (1.0, None)


def _authors(ok, right, extracted, gold):
    return {"authors_ok": ok, "authors_right": right, "authors_extracted": extracted,
            "authors_gold": gold}
