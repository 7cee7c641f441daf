"""Tests for pipeline.text.layout: rejoining hard wraps, splitting run-on lines, captions.

All snippets are invented for these tests; the seed reports are only read, when present.
"""

from __future__ import annotations

import re

import pytest

from pipeline.text.layout import LayoutOptions, find_captions, is_caption, split_run_on
from pipeline.text.tracked import Tracked
from pipeline.text.wrap import (
    RE_FINAL_END,
    RE_LINE_MARKER,
    detect_wrap_width,
    display_width,
    rejoin_wrapped_lines,
)
from tests.conftest import SEEDS

# Invented report paragraphs (never taken from real reports).
LEAD = (
    "今年以来，本县围绕山区茶叶产业持续加大投入，新建标准化茶园三千余亩，"
    "培训种植大户四百余人次，茶农人均收入比上年有所提高，但品牌弱小的问题依然存在。"
)
PRACTICE = (
    "（一）强化组织保障。县里成立茶产业发展专班，由分管副县长牵头，每月召开一次调度会议，"
    "研究解决推进中遇到的用地、资金和销路问题，确保各项任务落地见效。"
)
PROBLEM = (
    "调研发现，部分乡镇茶园管护粗放，采摘标准不统一，加工厂房设备陈旧，"
    "夏秋茶资源大量闲置，产品附加值偏低，市场竞争力不强，茶农增收后劲不足。"
)
CAPTION = "（图 1：各乡镇茶园面积对比图）"
HEADING_1 = "一、主要做法"
HEADING_2 = "二、存在的问题"


def wrap(paragraph: str, width: int = 30) -> list[str]:
    """Hard-wrap a paragraph every ``width`` characters, as a PDF export does."""
    return [paragraph[i : i + width] for i in range(0, len(paragraph), width)]


def wrapped_text(
    blocks: list[str], *, width: int = 30, blank_after_every_line: bool = False
) -> str:
    lines = [line for block in blocks for line in wrap(block, width)]
    return ("\n\n" if blank_after_every_line else "\n").join(lines)


def assert_offsets_kept(raw: str, result: Tracked) -> None:
    assert len(result.offsets) == len(result.text) + 1
    for index, char in enumerate(result.text):
        if char in "\n ":
            continue  # inserted line breaks / Latin spaces map to their neighbour
        assert raw[result.offsets[index]] == char, (index, char)


def rejoin(raw: str, **options: object) -> Tracked:
    return rejoin_wrapped_lines(Tracked.from_raw(raw), options=LayoutOptions(**options))


# --- rejoin_wrapped_lines ------------------------------------------------------------

BLOCKS = [LEAD, HEADING_1, PRACTICE, CAPTION, HEADING_2, PROBLEM]
EXPECTED = "\n".join(BLOCKS)


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("wrapped at 30", wrapped_text(BLOCKS), EXPECTED),
        (
            "wrapped at 30, blank after every line",
            wrapped_text(BLOCKS, blank_after_every_line=True),
            EXPECTED,
        ),
        ("wrapped at 24", wrapped_text(BLOCKS, width=24), EXPECTED),
        ("normal paragraphs unchanged", EXPECTED, EXPECTED),
        ("normal paragraphs with blank lines unchanged", "\n\n".join(BLOCKS), "\n\n".join(BLOCKS)),
    ],
)
def test_rejoin_restores_paragraphs(name: str, raw: str, expected: str) -> None:
    result = rejoin(raw)
    assert result.text == expected, name
    assert_offsets_kept(raw, result)


def around(lines: list[str], width: int = 30) -> str:
    """Wrapped paragraphs before and after ``lines``, so the wrap width can be detected."""
    return "\n".join([*wrap(LEAD, width), *wrap(PRACTICE, width), *lines, *wrap(PROBLEM, width)])


def rejoined_middle(raw: str) -> list[str]:
    """The rejoined lines between the context paragraphs of :func:`around`."""
    lines = rejoin(raw).text.split("\n")
    assert lines[:2] == [LEAD, PRACTICE] and lines[-1] == PROBLEM
    return lines[2:-1]


def test_rejoin_drops_stray_space_at_continuation() -> None:
    lines = wrap(LEAD + PROBLEM)
    lines[2] = " " + lines[2]
    assert rejoined_middle(around(lines)) == [LEAD + PROBLEM]


def test_rejoin_keeps_marked_heading_that_fills_a_line() -> None:
    # a 26-char heading with no full stop: as wide as a wrapped line, but still a heading
    heading = "（二）茶园管护粗放，品牌建设滞后，产业链条短"
    raw = around([heading, *wrap(PROBLEM, 28), heading], width=28)
    assert rejoined_middle(raw) == [heading, PROBLEM, heading]


def test_rejoin_joins_marked_line_when_next_opens_with_sentence_tail() -> None:
    # "（三）…统筹" / "推进。…": a lead sentence broken two characters before its full stop
    lead = "（三）加强部门协作，整合涉农资金，推动茶旅融合统筹推进。县文旅局牵头编制规划。"
    assert rejoined_middle(around(wrap(lead, 25))) == [lead]
    assert rejoined_middle(around(wrap(lead, 27))) == [lead]  # next line opens with "。"


@pytest.mark.parametrize(
    ("next_line", "joined"),
    [
        ("一、主要做法", False),
        ("（一）强化组织保障", False),
        ("(二)加强监督", False),
        ("1.区县层面", False),
        ("2、乡镇层面", False),
        ("（3）村级层面", False),
        ("①资金不足", False),
        ("第一章总体情况", False),
        ("二是加强培训", False),
        ("三要完善机制", False),
        ("（图 2：茶叶价格走势图）", False),
        ("1.2万亩茶园已经投产。", True),
        ("2023年以来成效明显。", True),
        ("三要素齐备。", True),
    ],
)
def test_rejoin_never_joins_onto_a_marker_or_caption(next_line: str, joined: bool) -> None:
    broken = "县里统筹安排茶园建设资金，确保每个乡镇都有示范基地和加工"  # 28 chars, no stop
    middle = rejoined_middle(around([broken, next_line]))
    assert middle == ([broken + next_line] if joined else [broken, next_line])


def test_rejoin_does_not_join_after_caption() -> None:
    caption = "表3 各乡镇茶园面积与产量统计"
    assert rejoined_middle(around([caption, *wrap(LEAD)])) == [caption, LEAD]


def test_rejoin_joins_across_page_break_blank_lines() -> None:
    lines = wrap(LEAD + PROBLEM)
    assert rejoined_middle(around([*lines[:2], "", "", *lines[2:]])) == [LEAD + PROBLEM]


def test_rejoin_inserts_space_between_latin_words() -> None:
    first = "课题组借助开源工具对茶叶电商销售数据进行统计，主要使用 open"
    middle = rejoined_middle(around([first, "source 软件完成数据清洗。"]))
    assert middle == [first + " source 软件完成数据清洗。"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a line that stops at a comma continues even in an unwrapped text
        ("基层干部普遍反映，\n培训机会偏少。", "基层干部普遍反映，培训机会偏少。"),
        ("调研发现：\n培训机会偏少。", "调研发现：\n培训机会偏少。"),
        ("调研报告\n基层干部普遍反映培训机会偏少。", "调研报告\n基层干部普遍反映培训机会偏少。"),
    ],
)
def test_rejoin_open_ends_in_plain_text(raw: str, expected: str) -> None:
    assert rejoin(raw).text == expected


def test_detect_wrap_width() -> None:
    assert detect_wrap_width(wrapped_text(BLOCKS)) == 60
    assert detect_wrap_width(EXPECTED) is None
    assert display_width("茶园 12 亩") == 10


# --- split_run_on --------------------------------------------------------------------

TITLE = "关于全县茶产业发展情况的调研报告"
ITEM_1 = (
    "一是品牌建设滞后，"
    + "各乡镇茶企规模小而散，缺少统一的公共品牌和质量标准，" * 4
    + "影响市场竞争力。"
)
ITEM_2 = (
    "二是人才支撑不足，"
    + "懂技术会经营的青年人才大量外流，茶园管护依靠留守老人，" * 4
    + "后继乏人。"
)
MEASURE = (
    "（一）打造区域公共品牌。"
    + "整合现有茶企商标资源，统一包装标识和质量标准，" * 4
    + "提升知名度。"
)
RUN_ON = (
    f"{TITLE}茶产业是本县的传统优势产业，带动数万农户增收。"
    f"一、存在问题{ITEM_1}{ITEM_2}"
    f"二、对策建议{MEASURE}"
    "2.完善利益联结。全县茶园面积达到1.2万亩，户均增收2-3千元，占比10%，2023年5月完成。"
)


def run_on(raw: str, title: str | None = None, **options: object) -> Tracked:
    opts = LayoutOptions(**{"run_on_min_chars": 200, **options})
    return split_run_on(Tracked.from_raw(raw), title_hint=title, options=opts)


def test_split_run_on_restores_headings_and_items() -> None:
    result = run_on(RUN_ON, TITLE)
    assert result.text.split("\n") == [
        TITLE,
        "茶产业是本县的传统优势产业，带动数万农户增收。",
        "一、存在问题",
        ITEM_1,
        ITEM_2,
        "二、对策建议",
        MEASURE,
        "2.完善利益联结。全县茶园面积达到1.2万亩，户均增收2-3千元，占比10%，2023年5月完成。",
    ]
    assert_offsets_kept(RUN_ON, result)


@pytest.mark.parametrize(
    ("name", "options", "lines"),
    [
        ("only the title split", {"run_on_min_chars": 5000}, 2),
        ("item split disabled", {"run_on_item_min_chars": 0}, 7),
        ("short items stay inline", {"run_on_item_min_chars": 1000}, 7),
    ],
)
def test_split_run_on_options(name: str, options: dict[str, int], lines: int) -> None:
    assert len(run_on(RUN_ON, TITLE, **options).text.split("\n")) == lines, name


@pytest.mark.parametrize(
    "text",
    [
        "全县茶园面积达到1.2万亩。" * 30,
        "每村配备2-3人。10%的茶园完成改造。2023年5月开工。" * 20,
        "会议确定了三要素。统一是前提。" * 30,
        "具体见（一）和（二）两项。" * 30,
    ],
)
def test_split_run_on_ignores_numerals_and_inline_references(text: str) -> None:
    assert run_on(text).text == text


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            TITLE,
            TITLE + "茶产业是本县的传统产业，带动农户增收。",
            [TITLE, "茶产业是本县的传统产业，带动农户增收。"],
        ),
        (
            TITLE,
            "  " + TITLE + " 茶产业是本县的传统产业。",
            ["  " + TITLE, "茶产业是本县的传统产业。"],
        ),
        (TITLE, TITLE + "（2023年）", [TITLE + "（2023年）"]),
        (TITLE, "茶产业是本县的传统产业。", ["茶产业是本县的传统产业。"]),
        ("", TITLE + "茶产业是本县的传统产业。", [TITLE + "茶产业是本县的传统产业。"]),
    ],
)
def test_split_run_on_title_hint(title: str, text: str, expected: list[str]) -> None:
    assert run_on(text, title).text.split("\n") == expected


def test_split_run_on_markers_after_period() -> None:
    body = "本县茶园分布在十二个乡镇，海拔多在六百米以上。" * 8
    text = f"{body}第二章产业现状{body}（二）乡镇层面{body}(三)村级层面{body}"
    lines = run_on(text).text.split("\n")
    assert [line[:4] for line in lines[1:]] == ["第二章产", "（二）乡", "(三)村"]


# --- captions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "caption"),
    [
        ("（图 1：全县茶园面积结构图）", True),
        ("图1 茶园面积结构", True),
        ("图 2-1 各乡镇产量对比", True),
        ("表3：各乡镇茶企名录", True),
        ("附表", True),
        ("附表2 调查问卷汇总", True),
        ("Figure 1. Tea output by town", True),
        ("Table 2: survey results", True),
        ("（见图 1）", False),
        ("表1显示，全县茶园面积逐年增加。", False),
        ("图1显示茶园面积逐年增加", False),
        ("图书馆建设情况", False),
        ("表明茶产业仍有潜力。", False),
    ],
)
def test_is_caption(line: str, caption: bool) -> None:
    assert is_caption(line) is caption


def test_find_captions_spans() -> None:
    text = f"{LEAD}\n {CAPTION}\n茶园面积（见图 1）逐年增加。\n表2 茶企名录\n"
    spans = find_captions(text)
    assert [text[start:end] for start, end in spans] == [CAPTION, "表2 茶企名录"]


# --- seeds (third-party text, only read) ----------------------------------------------

RE_SEED_FURNITURE = re.compile(
    r"^(?:https?://\S+|[—-] *\d+ *[—-]|您好.*|当前位置.*|本文标题.*|链接地址.*)\n?", re.M
)


def seed(prefix: str) -> str:
    paths = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not paths:
        pytest.skip("shared seed corpus not available")
    return paths[0].read_text(encoding="utf-8")


def strip_furniture(raw: str) -> Tracked:
    """Stand-in for clean(): drop URL/page-number/site-chrome lines, widen ASCII punctuation."""
    t = Tracked.from_raw(raw).sub(RE_SEED_FURNITURE, "")
    return t.map_chars(lambda s: s.translate(str.maketrans(",:;?!()", "，：；？！（）")))


def test_seed_002_rejoined() -> None:
    raw = seed("002")
    before = [line for line in raw.split("\n") if line.strip()]
    result = rejoin_wrapped_lines(strip_furniture(raw))
    lines = [line for line in result.text.split("\n") if line.strip()]
    assert len(lines) < len(before) / 4
    assert "一、各地主要做法" in lines
    ok = [
        line
        for line in lines[2:]  # title and author line
        if RE_FINAL_END.search(line)
        or is_caption(line)
        or (RE_LINE_MARKER.match(line) and len(line) <= 40)
    ]
    assert len(ok) / len(lines[2:]) >= 0.95
    widen = str.maketrans(",:;?!()", "，：；？！（）")
    for index, char in enumerate(result.text):
        assert char in "\n " or raw[result.offsets[index]].translate(widen) == char


def test_seed_001_run_on_split() -> None:
    raw = seed("001")
    t = strip_furniture(raw)
    title = "关于基层干部队伍建设调研报告"
    result = split_run_on(t, title_hint=title)
    lines = result.text.split("\n")
    assert lines[0].strip() == title
    assert "一、存在问题" in lines
    for match in re.finditer(r"[一二三四五六七八九十]、", result.text):
        assert match.start() == 0 or result.text[match.start() - 1] == "\n"
    assert all(len(line) < 1000 for line in lines)


# --- every body line ends at the margin (a PDF wrapped at the page width) ------------------


def test_rejoin_marker_after_a_sentence_end_starts_a_paragraph() -> None:
    # the lines before each marker end in 。 ； ： at the margin: still a new paragraph
    body = "全县围绕茶叶产业持续加大投入，新建标准化茶园三千余亩，培训种植大户四百余人。"
    lines = [*wrap(body, 19), "（一）强化组织保障。县里成立茶产业专班，每月调度一次，落实",
             "用地资金。", "调研发现，部分乡镇茶园管护粗放，采摘标准不统一，主要问题是：",
             "1.加工设备陈旧，夏秋茶资源大量闲置，产品附加值偏低，竞争力不强；",
             "2.品牌弱小，市场营销渠道单一，线上销售占比较低，茶农增收慢。"]
    middle = rejoined_middle(around(lines, width=19))
    assert [line[:4] for line in middle] == ["全县围绕", "（一）强", "调研发现", "1.加工", "2.品牌"]


def test_rejoin_full_line_ending_in_colon_or_semicolon_goes_on() -> None:
    leadin = ("我们也清醒认识到，发展中还存在不少困难和问题，主要是："
              "产业基础薄弱，财政收支矛盾突出；")
    rest = "公共服务还有短板，群众就业增收难度加大。"
    lines = wrap(leadin + rest, 27)
    assert lines[0].endswith("主要是：")  # a full line that stops at the colon
    assert rejoined_middle(around(lines, width=27)) == [leadin + rest]


def test_rejoin_inline_item_after_a_comma_goes_on() -> None:
    lines = ["今后五年的发展目标：一是县域经济实力明显增强，二是城乡融合水平明显提高，",
             "三是民生福祉持续增进。"]
    assert rejoined_middle(around(lines, width=36)) == ["".join(lines)]


def test_rejoin_list_leadin_rest_goes_on_after_a_full_stop() -> None:
    lines = ["同时我们也清醒认识到，全县发展中老问题、新挑战仍然不少。",
             "主要是：产业基础薄弱，财政收支矛盾突出。"]
    assert rejoined_middle(around(lines, width=28)) == ["".join(lines)]


def test_page_chunk_numbers_are_dropped_and_chunks_joined() -> None:
    raw = ("1、关于茶产业发展的调研报告。本县茶园面积逐年扩大，为摸清底数，调研组采\n"
           "2、取座谈与走访相结合的方式开展调研。现将情况报告如下：\n"
           "3、一、基本情况全县现有茶园三万亩。\n")
    result = rejoin(raw)
    assert result.text.split("\n")[:2] == [
        "关于茶产业发展的调研报告。本县茶园面积逐年扩大，为摸清底数，调研组采取座谈与走访相结合的方式开展调研。现将情况报告如下：",
        "一、基本情况全县现有茶园三万亩。",
    ]
    assert_offsets_kept(raw, result)


def test_numbered_items_are_not_page_chunks() -> None:
    raw = "1、强化组织保障。\n2、加大资金投入。\n3、完善考核机制。\n"
    assert rejoin(raw).text == raw


def test_wide_gaps_break_a_one_line_page() -> None:
    from pipeline.text.layout import break_wide_gaps

    page = ("某县茶产业调研报告   茶产业是本县的传统优势产业。" + "近年来茶园面积逐年扩大。" * 16
            + "   一、存在的问题   一是品牌弱小。二是加工落后。")
    lines = break_wide_gaps(Tracked.from_raw(page)).text.split("\n")
    assert [line[:6] for line in lines] == [
        "某县茶产业调", "茶产业是本县", "一、存在的问", "一是品牌弱小"]
    short = "茶园面积   逐年扩大，产量稳步提高。"  # a short line: a PDF's spacing, squeezed out
    assert break_wide_gaps(Tracked.from_raw(short)).text == "茶园面积逐年扩大，产量稳步提高。"
    names = "雷 智   刘 林"
    assert break_wide_gaps(Tracked.from_raw(names)).text == names
