"""Cleaning rules: one table per rule (input -> expected), then clean() end to end."""

from __future__ import annotations

import re

import pytest

from pipeline.text.chrome import chrome_reason, drop_lines, page_number_reason, title_hint_from
from pipeline.text.clean import (
    CleanOptions,
    clean,
    normalise_whitespace,
    normalise_width,
    remove_urls,
    squeeze_cjk_spaces,
    strip_pinyin_glosses,
    tidy_lines,
    to_simplified,
)
from pipeline.text.tracked import Tracked
from tests.conftest import SEEDS


def run(step, text: str) -> str:
    """Apply one Tracked step to a fresh text and return the resulting string."""
    result = step(Tracked.from_raw(text))
    return (result[0] if isinstance(result, tuple) else result).text


def assert_offsets_sound(raw: str, t) -> None:
    """Offsets are one per char plus end, never decrease, and stay inside ``raw``."""
    assert len(t.offsets) == len(t.text) + 1
    assert all(a <= b for a, b in zip(t.offsets, t.offsets[1:], strict=False))
    assert all(0 <= o <= len(raw) for o in t.offsets)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("甲\r\n乙\r丙\u2028丁", "甲\n乙\n丙\n丁"),
        ("\ufeff调研\u200b报告", "调研报告"),
        ("甲\u00a0乙\t丙", "甲 乙 丙"),
        ("\u3000\u3000正文\u3000内容", "\u3000\u3000正文 内容"),  # leading indent kept
        ("软\u00ad连字符", "软连字符"),
    ],
)
def test_normalise_whitespace(raw, expected):
    assert run(normalise_whitespace, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("問(wèn)題", "問題"),
        ("调（diào）研", "调研"),
        ("调(diao4)研", "调研"),
        ("绿(lǜ)色发展", "绿色发展"),
        ("数据(data)显示", "数据(data)显示"),  # no tone mark: an English gloss, kept
        ("生产总值(GDP)", "生产总值(GDP)"),
    ],
)
def test_strip_pinyin_glosses(raw, expected):
    assert run(strip_pinyin_glosses, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected", "script"),
    [
        (
            "本次調研發現，鄉鎮幹部隊伍結構不夠合理，專業人才數量偏少，工作經費長期緊張，難以滿足發展需要。",
            "本次调研发现，乡镇干部队伍结构不够合理，专业人才数量偏少，工作经费长期紧张，难以满足发展需要。",
            "traditional",
        ),
        ("著力推动发展，干部著作颇丰。", "著力推动发展，干部著作颇丰。", "simplified"),
        ("發展", "發展", "simplified"),  # too few characters to decide: left alone
    ],
)
def test_to_simplified(raw, expected, script):
    t, detected = to_simplified(Tracked.from_raw(raw))
    assert (t.text, detected) == (expected, script)
    assert list(t.offsets) == list(range(len(raw) + 1))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("增长１．５倍", "增长1.5倍"),
        ("占比１２％", "占比12%"),
        ("基层,基层干部", "基层，基层干部"),
        ("能力”,一些", "能力”，一些"),
        ("问题:如下", "问题：如下"),
        ("是否可行?是的!", "是否可行？是的！"),
        ("10%,每个县", "10%，每个县"),
        ("(一)加强领导", "（一）加强领导"),
        ("(1)加强", "（1）加强"),
        ("1)加强", "1）加强"),
        ("生产总值(GDP)增长", "生产总值（GDP）增长"),
        ("增长1.2倍，时间10:30", "增长1.2倍，时间10:30"),  # decimals and times untouched
        ("see (a), b; c", "see (a), b; c"),  # ASCII-only run untouched
        ("http://a.cn/x?a=1,b=2", "http://a.cn/x?a=1,b=2"),
        ("共1,200人", "共1,200人"),  # thousands separator
    ],
)
def test_normalise_width(raw, expected):
    assert run(normalise_width, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("深入乡镇等 8 个乡镇和经开区实地调研", "深入乡镇等8个乡镇和经开区实地调研"),
        ("要求， 县委宣传部抽调骨干力量组成调研组", "要求，县委宣传部抽调骨干力量组成调研组"),
        ("2020 年全县干部队伍建设情况调查", "2020年全县干部队伍建设情况调查"),
        ("雷 智  刘 林", "雷 智  刘 林"),  # short line: spaces separate names
        ("张 三 李 四 王 五 赵 六 孙 七 周 八", "张 三 李 四 王 五 赵 六 孙 七 周 八"),
        ("推进 GDP 增长的若干措施研究以及相关对策", "推进 GDP 增长的若干措施研究以及相关对策"),
    ],
)
def test_squeeze_cjk_spaces(raw, expected):
    assert run(squeeze_cjk_spaces, raw) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("— 5 —", "page"),
        ("- 5 -", "page"),
        ("－ 5 －", "page"),
        ("第3页共12页", "page"),
        ("第 3 页", "page"),
        ("共12页", "page"),
        ("3/12", "page"),
        ("Page 3 of 12", "page"),
        ("12/3", None),
        ("第三章 总则", None),
        ("2020年", None),
        ("5", None),  # bare numbers are judged by their place, not by this rule
    ],
)
def test_page_number_reason(line, expected):
    assert page_number_reason(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("您好,欢迎访问某某文档", "welcome"),
        ("您好，欢迎访问某某文档", "welcome"),
        ("上传人：user01格式：DOC 页数：5大小：28KB 浏览：213次", "docinfo"),
        ("当前位置:首页 > 范文大全 > 某某调研报告", "breadcrumb"),
        ("首页 > 范文大全 > 调研报告", "breadcrumb"),
        ("本文标题：关于某某的调研", "title"),
        ("链接地址：https://x.cn/doc-1", "link"),
        ("上一篇：某某工作总结", "nav"),
        ("相关推荐", "nav"),
        ("来源：某某日报", "source"),
        ("责任编辑：张某", "editor"),
        ("发布时间：2021-03-04 浏览次数：56", "stats"),
        ("京ICP备12345678号-1", "icp"),
        ("Copyright © 2010-2023 某某网 版权所有", "copyright"),
        ("我要投稿", "contribute"),
        ("扫码关注公众号", "prompt"),
        ("VIP免费下载", "prompt"),
        ("收藏 | 分享 | 打印 | 关闭窗口", "buttons"),
        ("如有侵权请联系删除", "disclaimer"),
        ("调研报告范文_调研报告怎么写_某某范文网", "seo"),
        # body text that merely uses chrome words
        ("各地积极推行扫码办事，群众通过微信公众号即可预约", None),
        ("资料来源于县统计局年报", None),
        ("下载安装政务服务应用程序的群众逐年增多", None),
        ("通过分享经验、收藏案例等方式推动工作", None),
        ("知识产权侵权案件数量有所上升", None),
        ("会员单位积极参与", None),
        ("一、存在问题", None),
        ("来源：" + "统计显示全县干部队伍结构持续优化" * 5, None),  # too long for chrome
    ],
)
def test_chrome_reason(line, expected):
    assert chrome_reason(line) == expected


@pytest.mark.parametrize(
    ("line", "reason", "expected"),
    [
        ("本文标题:关于乡村治理的调研报告", "title", "关于乡村治理的调研报告"),
        ("当前位置：首页 > 办公 > 关于乡村治理的调研报告", "breadcrumb", "关于乡村治理的调研报告"),
        ("当前位置：首页 > 办公文档", "breadcrumb", None),  # a category, not a title
        ("来源：某某日报", "source", None),
    ],
)
def test_title_hint_from(line, reason, expected):
    assert title_hint_from(line, reason) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # single spacing: the page number and the page break fold into one newline
        ("甲句话说完了。\n— 2 —\n\f乙句话说完了。", "甲句话说完了。\n乙句话说完了。"),
        # double spacing: the blank line the document uses is kept
        ("甲句话说完了。\n\n\n\n— 5 —\n\n乙句话说完了。", "甲句话说完了。\n\n乙句话说完了。"),
        # a page break in the middle of a sentence is no paragraph break
        ("甲句话没有说\f完。", "甲句话没有说\n完。"),
        # chrome at the start and end leaves nothing behind
        ("欢迎访问某某网\n正文。\n链接地址：https://x.cn/1", "正文。"),
        ("https://www.example.com/a/b\n正文。", "正文。"),
        # running headers on every page (with page breaks)
        (
            "正文开头。\n某某县委组织部材料 1\n第一页正文。\n\f某某县委组织部材料 2\n第二页正文。\n"
            "\f某某县委组织部材料 3\n第三页正文。",
            "正文开头。\n第一页正文。\n第二页正文。\n第三页正文。",
        ),
        # ... except at the very top, where the header is usually the report's title
        (
            "某某问题调研报告\n甲。\n\f某某问题调研报告\n乙。\n\f某某问题调研报告\n丙。",
            "某某问题调研报告\n甲。\n乙。\n丙。",
        ),
        # without page breaks: identical short lines repeated three times
        (
            "甲。\n某某课题组内部资料\n乙。\n某某课题组内部资料\n丙。\n某某课题组内部资料",
            "甲。\n乙。\n丙。",
        ),
        # a repeated section name is not a running header
        ("存在问题\n甲。\n" * 3, "存在问题\n甲。\n" * 3),
        # bare page numbers rising through a text without page breaks
        (
            "\n".join(["甲。"] * 6 + ["1"] + ["乙。"] * 6 + ["2"] + ["丙。"] * 6 + ["3"]),
            "\n".join(["甲。"] * 6 + ["乙。"] * 6 + ["丙。"] * 6),
        ),
        # a column of small numbers (a table) is not a page-number sequence
        ("表头\n1\n2\n3\n合计。", "表头\n1\n2\n3\n合计。"),
    ],
)
def test_drop_lines(raw, expected):
    t, _, _ = drop_lines(Tracked.from_raw(raw))
    assert t.text == expected
    assert_offsets_sound(raw, t)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("详见https://www.example.com/a.html。", "详见。"),
        ("见www.example.cn/x?id=1，下同", "见，下同"),
        ("网址 https://www.example.com/doc-1 .html 已失效", "网址  已失效"),
        ("参见(https://a.cn/x).", "参见()."),
    ],
)
def test_remove_urls(raw, expected):
    assert run(remove_urls, raw) == expected


def test_tidy_lines_trims_and_keeps_offsets():
    raw = "  甲  \n\n\n\n乙\n"
    t = tidy_lines(Tracked.from_raw(raw))
    assert t.text == "甲\n\n乙"
    assert [raw[o] for o in t.offsets[:-1]] == list(t.text)


# --- clean() end to end ----------------------------------------------------------

PAGE = "第{n}部分的正文写到这里为止。\n"
WEB_PAGE = (
    "您好,欢迎访问某某文档\n"
    "当前位置:首页 > 范文大全 > 关于乡村治理的调研报告\n"
    "关于乡村治理的调研报告\n"
    "今年以来,我们围绕乡村治理开展了专题调研.\n"
    "一、存在问题\n"
    "村级组织负担较重,详见https://www.example.com/a.html。\n"
    "本文标题:关于乡村治理的调研报告\n"
    "链接地址:https://www.example.com/doc-1 .html\n"
)


def test_clean_web_page():
    cleaned = clean(WEB_PAGE)
    assert cleaned.title_hint == "关于乡村治理的调研报告"
    assert cleaned.text.split("\n")[0] == "关于乡村治理的调研报告"
    assert "一、存在问题" in cleaned.text.split("\n")
    for chrome in ("欢迎访问", "当前位置", "本文标题", "链接地址", "http", "www"):
        assert chrome not in cleaned.text
    assert "村级组织负担较重，详见。" in cleaned.text
    assert cleaned.script == "simplified"
    assert any(line.startswith("当前位置") for line in cleaned.removed)
    # every unchanged character maps back to itself; full-width commas map to the ASCII ones
    for i, char in enumerate(cleaned.text):
        source = WEB_PAGE[cleaned.offsets[i]]
        assert source == char or (source, char) == (",", "，")
    # nothing survives from a removed line
    chrome_end = WEB_PAGE.index("关于乡村治理的调研报告\n今年")
    assert min(cleaned.offsets[:-1]) >= chrome_end


def test_clean_pdf_pages_and_crlf():
    raw = "\r\n".join(["报告正文第一段结束。", "", "— 1 —", ""]) + "\f" + "第二段。\r\n"
    cleaned = clean(raw)
    assert cleaned.text == "报告正文第一段结束。\n第二段。"
    assert all(raw[cleaned.offsets[i]] == c for i, c in enumerate(cleaned.text) if c != "\n")
    assert cleaned.removed == ("— 1 —",)


def test_clean_traditional_sets_script():
    raw = "一、調研發現\n鄉鎮幹部隊伍結構不夠合理，專業人才數量偏少。\n工作經費長期緊張，難以滿足。"
    cleaned = clean(raw)
    assert cleaned.script == "traditional"
    assert cleaned.text.startswith("一、调研发现\n乡镇干部队伍结构")


def test_clean_options_are_used():
    raw = "甲。\n某某课题组内部资料\n" * 3
    assert "内部资料" not in clean(raw).text
    assert "内部资料" in clean(raw, options=CleanOptions(header_min_repeats=4)).text


def test_clean_removed_sample_is_bounded():
    title = "第{n}号工作总结的标题" + "很长" * 9
    raw = "".join(f"上一篇：{title.format(n=n)}\n" for n in range(50))
    cleaned = clean(raw + "正文。")
    assert cleaned.text == "正文。"
    assert len(cleaned.removed) == 20
    assert all(len(line) <= 40 for line in cleaned.removed)


# --- real reports ------------------------------------------------------------------

RE_CHROME_WORDS = re.compile(r"当前位置|本文标题|链接地址|欢迎访问")
RE_ANY_URL = re.compile(r"https?://|www\.")
RE_DASH_PAGE = re.compile(r"^[—－-]\s*\d+\s*[—－-]$", re.MULTILINE)


@pytest.mark.parametrize("prefix", ["001_", "002_"])
def test_seed_reports_lose_chrome(prefix):
    if not SEEDS.is_dir():
        pytest.skip("shared corpus not available")
    path = next(SEEDS.glob(f"{prefix}*.txt"), None)
    if path is None:
        pytest.skip(f"seed {prefix} not available")
    raw = path.read_text(encoding="utf-8")
    cleaned = clean(raw)
    assert not RE_CHROME_WORDS.search(cleaned.text)
    assert not RE_ANY_URL.search(cleaned.text)
    assert not RE_DASH_PAGE.search(cleaned.text)
    assert_offsets_sound(raw, cleaned)
    if prefix == "001_":
        assert cleaned.title_hint
        assert cleaned.text.split("\n")[0] == cleaned.title_hint
    if prefix == "002_":
        assert "等8个乡镇" in cleaned.text
        # wrapped PDF lines come back as paragraphs (loose: layout.py owns the details)
        assert cleaned.text.count("\n") < raw.count("\n") / 4
