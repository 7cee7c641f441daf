"""Marker regexes and tables for the structure parser (:mod:`pipeline.text.outline`).

Heading markers are matched at the start of a stripped line; enumeration cues are
searched inside paragraphs. Each pattern's comment shows an example of what it catches.
"""

from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十"
CN_DIGIT_TABLE = {ch: i + 1 for i, ch in enumerate(CN_NUM)} | {"〇": 0, "零": 0, "两": 2}

# ---- heading markers (line start) -------------------------------------------------

# 【篇1】 / 【报告二】 / 篇一：… / 报告3 / 第二篇  — several reports in one file
RE_PART = re.compile(
    rf"^(?:【\s*(?:篇|报告|范文|材料)\s*(?P<a>\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*】"
    rf"|(?:篇|报告|范文)\s*(?P<b>\d{{1,2}}|[{CN_NUM}]{{1,3}})(?=\s*(?:[：:、．.]|\s|$))"
    rf"|第(?P<c>\d{{1,2}}|[{CN_NUM}]{{1,3}})篇(?=\s*(?:[：:、．.]|\s|$)))\s*[：:、．.]?\s*"
)
# 第一章 / 第二节 / 第三部分
RE_CHAPTER = re.compile(rf"^第\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*(章|节|部分)\s*[：:、．.]?\s*")
# 2.1 / 2.1.1 / 3．2、 — decimal outline numbers (not 1.2万, not 2019.5)
RE_DECIMAL = re.compile(r"^(\d{1,2}(?:[.．]\d{1,2}){1,3})(?![.．]?\d)\s*[.．、]?\s*")
# 一、 / 十二． / 三.
RE_CN_DUN = re.compile(rf"^([{CN_NUM}]{{1,3}})\s*([、．.])\s*")
# （一） / (二) / （三）、 / ㈣
RE_CN_PAREN = re.compile(rf"^(?:[（(]\s*([{CN_NUM}]{{1,3}})\s*[）)]|([㈠-㈩]))\s*[、．.]?\s*")
# （1） / (2) / ⑶
RE_AR_PAREN = re.compile(r"^(?:[（(]\s*(\d{1,2})\s*[）)]|([⑴-⒇]))\s*[、．.]?\s*")
# 1. / 2、 / 3） / 4． / 5)  (not 1.2万, not 2019.)
RE_AR = re.compile(r"^(\d{1,2})\s*([.．、）)])(?![.．]?\d)\s*")
# ① / ②、
RE_CIRCLED = re.compile(r"^([①-⑳])\s*[、．.]?\s*")
# 短板一：/ 问题二： / 启示3、 / 建议四． — a section word numbered like an item; the
# separator is required, so "问题一是…" stays body text
RE_WORD_NUM = re.compile(
    rf"^(短板|弱项|问题|困难|难点|堵点|痛点|挑战|风险|原因|成因|建议|对策|措施|举措|路径|"
    rf"做法|经验|亮点|特色|成效|启示|体会|思考)\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})\s*[：:、．.]\s*"
)
# "1 基本情况" — a bare number before a short heading (checked only on short lines)
RE_AR_BARE = re.compile(r"^(\d{1,2})\s+(?=[\u4e00-\u9fff])")

# style name -> (regex, family). Order matters: longer/specific forms first.
HEADING_STYLE_TABLE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", RE_CHAPTER),
    ("decimal", RE_DECIMAL),
    ("cn_dun", RE_CN_DUN),
    ("cn_paren", RE_CN_PAREN),
    ("ar_paren", RE_AR_PAREN),
    ("ar", RE_AR),
    ("circled", RE_CIRCLED),
    ("word", RE_WORD_NUM),
)
# Styles that sit above any other whatever order they appear in (smaller = higher).
STYLE_RANK_TABLE = {"chapter_部分": 0, "chapter_章": 1, "chapter_节": 2}

# Right after a decimal number, a measure word means a quantity: 1.2万 / 2.5倍 / 3.6亩
RE_QUANTITY_AFTER = re.compile(r"^[万亿倍元%％‰亩吨米岁]")
# After 一、: "一、二季度" / "一、二产业" — a run of numerals, not a heading
RE_NUMERAL_RUN_AFTER = re.compile(rf"^[{CN_NUM}][、，,]|^[{CN_NUM}][季产线类]")
# Table rows: tabs, pipes, or two wide gaps — "1  东坪村  3000"
RE_TABLE_ROW = re.compile(r"\t|[|｜]|\S\s{2,}\S+\s{2,}\S")
# Figure/table captions and notes: （图 1：…） / 表2 … / 注： / 数据来源：
RE_CAPTION = re.compile(
    r"^[（(]?\s*(?:图|表|附图|附表)\s*[\d一二三四五六七八九十]|^(?:注|资料来源|数据来源|来源)\s*[：:]"
)
# Date or signature lines: 2023年5月10日 / 二〇二三年五月
RE_DATE_LINE = re.compile(
    r"^[\d〇零一二三四五六七八九十○Ｏ]{2,4}\s*年(?:\s*[\d一二三四五六七八九十]{1,2}\s*月)?"
)
# Titles: 关于…的调研报告 / …调查报告
RE_TITLE_LIKE = re.compile(r"调研报告|调查报告|的报告$|^关于.{2,}的")
# Above the first body paragraph, a line naming the inquiry is the title, not a heading,
# even with a section word in it: "湄潭县发展壮大村级集体经济的调研与思考"
RE_TITLE_WORDS = re.compile(r"调研|调查|考察|报告|研究")
# Author lines: "张 三 李 四" / "执笔：王五" / "县委组织部课题组"
RE_AUTHOR_LINE = re.compile(
    r"^(?:[\u4e00-\u9fff]{1,3}\s+){2,}[\u4e00-\u9fff]{1,3}$|执笔|撰稿|课题组|调研组\s*$|^作者"
)
# Sentence ends that make a short line body text rather than a heading
RE_SENTENCE_END = re.compile(r"[。！？；!?;]")
# Punctuation that ends a headline: first sentence up to 。；！？ (commas don't)
RE_HEADLINE_END = re.compile(r"[。；！？;!?]")
# TOC leaders and page numbers: "基本情况……3" / "存在问题 .... 12"
RE_TOC_TAIL = re.compile(r"(?:[.．·…—_＿\s]{2,}|\s+)\d{1,3}\s*$|[.．·…_＿]{3,}$")
# A TOC heading line: 目录 / 目 录
RE_TOC_TITLE = re.compile(r"^目\s*录$")
# Characters that count as heading text (CJK, letters, opening quotes/brackets)
RE_TEXTISH = re.compile(r"[\u4e00-\u9fffA-Za-z“‘「《（(\"]")
RE_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")

# A standard section title glued to its paragraph on a run-on web page, with no stop between:
# "基本情况湄潭县是全国重点产茶县，…" -> headline 基本情况
RE_GLUED_SECTION_TITLE = re.compile(
    r"(?:基本情况|总体情况|主要做法|存在的?(?:主要|突出)?问题|原因分析|对策建议|意见建议|几点建议"
    r"|几点思考|下一步(?:工作)?打算|工作成效|主要成效)(?![的及和与是在较等中])(?=[\u4e00-\u9fff])"
)
# Unnumbered headings that are accepted even alone: 基本情况 / 存在的问题 / 对策建议
RE_PLAIN_KEYWORD = re.compile(
    r"基本情况|总体情况|主要做法|做法|成效|经验|启示|存在的?(?:主要|突出)?问题|问题|原因|对策|建议|"
    r"思考|打算|下一步|措施|前言|引言|结语|结束语|总结|现状|调研情况"
)
# Unnumbered headings that always sit at the top level: 前言 / 结语
RE_PLAIN_TOP = re.compile(r"^(?:前言|引言|导言|结语|结束语|小结|总结|附件|附录|参考文献)[：:]?$")

# ---- inline enumeration cues ------------------------------------------------------

ORDINAL_LAST = 99  # 最后 closes a 首先/其次 chain
# 一是 / 二要 / 三则 / 四抓 (family per suffix)
RE_ENUM_CN = re.compile(rf"([{CN_NUM}]{{1,2}})(是|要|则|抓)(?!一)")
# 第一， / 第二、 / 首先 / 其次 / 再次 / 最后，
RE_ENUM_DI = re.compile(rf"第([{CN_NUM}]{{1,2}})[，,、]|(首先|其次|再次)[，,]?|(最后)[，,]")
# 其一， / 其二是
RE_ENUM_QI = re.compile(rf"其([{CN_NUM}])(?=[，,、：:是])")
# 一方面， / 另一方面，
RE_ENUM_SIDE = re.compile(r"(另)?一方面[，,]?")
# inline ① / （1）
RE_ENUM_CIRCLED = re.compile(r"([①-⑳])")
RE_ENUM_PAREN = re.compile(r"[（(](\d{1,2})[）)]")
DI_WORD_TABLE = {"首先": 1, "其次": 2, "再次": 3, "最后": ORDINAL_LAST}

# Characters before a cue that make it start a clause. Families in
# STRICT_ENUM_FAMILIES need a sentence boundary (or paragraph start), the others
# may also follow a comma: "主要表现在：一是…，二是…".
CLAUSE_BOUNDARY = "。；！？：;!?:"
COMMA_BOUNDARY = "，,"
STRICT_ENUM_FAMILIES = frozenset({"side", "di"})
# Families whose lone first item at a paragraph start still counts: "一是…" alone
LONE_ENUM_FAMILIES = frozenset({"cn_是", "cn_要"})


def cn_to_int(numeral: str) -> int | None:
    """Chinese or arabic numeral to int: '十二' -> 12, '二十' -> 20, '7' -> 7."""
    if numeral.isdigit():
        return int(numeral)
    if "十" not in numeral:
        if len(numeral) != 1:
            return None
        return CN_DIGIT_TABLE.get(numeral)
    tens, _, ones = numeral.partition("十")
    tens_value = CN_DIGIT_TABLE.get(tens, 0) if tens else 1
    ones_value = CN_DIGIT_TABLE.get(ones, 0) if ones else 0
    if (tens and tens not in CN_DIGIT_TABLE) or (ones and ones not in CN_DIGIT_TABLE):
        return None
    return tens_value * 10 + ones_value


def enclosed_to_int(char: str) -> int:
    """① / ⑴ / ㈠ to its number."""
    code = ord(char)
    for first in (0x2460, 0x2474, 0x3220):  # ①, ⑴, ㈠
        if first <= code < first + 20:
            return code - first + 1
    raise ValueError(char)
