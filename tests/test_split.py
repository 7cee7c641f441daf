"""Tests of splitting multi-report files (合集) into report spans."""


import pytest

from pipeline.text.split import SplitOptions, split_reports
from pipeline.text.vocab import cn_to_int as numeral_value
from tests.conftest import SEEDS

BODY = "基层治理工作取得新进展，群众满意度持续提升，但仍有短板需要补齐。" * 12  # ~384 chars


def _parts(text, spans):
    return [text[s:e] for s, e in spans]


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("1", 1), ("12", 12), ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
     ("三四", None)],
)
def test_numeral_value(numeral, value):
    assert numeral_value(numeral) == value


@pytest.mark.parametrize(
    "markers",
    [
        ("【篇1】", "【篇2】", "【篇3】"),
        ("篇一：", "篇二：", "篇三："),
        ("报告1", "报告2"),
        ("调研报告一", "调研报告二"),
        ("范文一", "范文二"),
        ("第一篇", "第二篇"),
        ("【范文一】", "【范文二】"),
    ],
)
def test_splits_on_marker_runs(markers):
    text = "调研报告合集\n" + "".join(f"{m}标题{i}\n{BODY}\n" for i, m in enumerate(markers))
    spans = split_reports(text)
    assert len(spans) == len(markers)
    assert [p.split("\n")[0] for p in _parts(text, spans)] == [
        f"{m}标题{i}" for i, m in enumerate(markers)
    ]
    assert spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (f"关于某事的调研报告\n{BODY}", "no markers"),
        (f"【篇1】\n{BODY}", "a single marker"),
        (f"篇一：\n{BODY}\n篇三：\n{BODY}", "numbers out of sequence"),
        (f"篇一：\n{BODY}\n篇二：\n短。", "a part too short"),
        (f"前言\n见报告1和报告2。\n{BODY}", "markers not at line starts"),
        (f"篇一：\n{BODY}\n范文二\n{BODY}", "mixed styles"),
        (f"报告一些情况\n{BODY}\n报告二次修改\n{BODY}", "numerals that start words"),
    ],
)
def test_no_split(text, why):
    assert split_reports(text) == [(0, len(text))], why


def test_long_preamble_is_its_own_part():
    preamble = "本合集收录了多篇调研报告。" + BODY
    text = f"{preamble}\n篇一：\n{BODY}\n篇二：\n{BODY}"
    spans = split_reports(text)
    assert len(spans) == 3 and spans[0] == (0, len(preamble) + 1)


def test_contents_list_is_skipped():
    contents = "目录\n篇一：甲\n篇二：乙\n"
    text = f"{contents}篇一：甲\n{BODY}\n篇二：乙\n{BODY}"
    spans = split_reports(text)
    assert spans == [(len(contents), text.index("篇二：乙\n基层")), (text.index("篇二：乙\n基层"),
                                                                    len(text))]


def test_min_part_chars_option():
    text = "篇一：\n短文甲。\n篇二：\n短文乙。"
    assert len(split_reports(text, options=SplitOptions(min_part_chars=3))) == 2


def test_seeds_are_single_reports():
    seeds = SEEDS
    paths = sorted(seeds.glob("*.txt")) if seeds.exists() else []
    if not paths:
        pytest.skip("shared seed corpus not available")
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert split_reports(text) == [(0, len(text))], path.name
