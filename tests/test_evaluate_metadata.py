"""Tests of how eval compares a document's region and title with the gold."""

import pytest

from pipeline.outputs.evaluate import metadata_checks
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
