"""Marker regexes and tables for the structure parser (:mod:`pipeline.text.outline`).

Heading markers are matched at the start of a stripped line; enumeration cues are
searched inside paragraphs. Each pattern's comment shows an example of what it catches.
"""

from __future__ import annotations

import re

from pipeline.text.vocab import CN_NUM, HAN_BASIC

# A heading number: 1-2 arabic digits or 1-3 Chinese numerals ("12", "十二").
NUMBER = rf"\d{{1,2}}|[{CN_NUM}]{{1,3}}"

# ---- heading markers (line start) -------------------------------------------------

# 【篇1】 / 【报告二】 / 篇一：… / 报告3 / 第二篇  — several reports in one file
RE_PART = re.compile(
    rf"^(?:【\s*(?:篇|报告|范文|材料)\s*(?P<a>{NUMBER})\s*】"
    rf"|(?:篇|报告|范文)\s*(?P<b>{NUMBER})(?=\s*(?:[：:、．.]|\s|$))"
    rf"|第(?P<c>{NUMBER})篇(?=\s*(?:[：:、．.]|\s|$)))\s*[：:、．.]?\s*"
)
# 第一章 / 第二节 / 第三部分
RE_CHAPTER = re.compile(rf"^第\s*({NUMBER})\s*(章|节|部分)\s*[：:、．.]?\s*")
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
    rf"做法|经验|亮点|特色|成效|启示|体会|思考)\s*({NUMBER})\s*[：:、．.]\s*"
)
# "1 基本情况" — a bare number before a short heading (checked only on short lines)
RE_AR_BARE = re.compile(rf"^(\d{{1,2}})\s+(?=[{HAN_BASIC}])")
# "一 调研背景" — a Chinese numeral and a space before a short heading (short lines only)
RE_CN_BARE = re.compile(rf"^([{CN_NUM}]{{1,3}})[ \u3000]+(?=[{HAN_BASIC}])")
# "政 府 工 作 报 告" — letter-spaced characters: a title, never a numbered heading
RE_LETTER_SPACED = re.compile(rf"[{HAN_BASIC}][ \u3000][{HAN_BASIC}][ \u3000][{HAN_BASIC}]")

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
# The start of a figure/table caption or a note: （图 1：…） / 表2 … / 注： / 数据来源：
RE_CAPTION_OR_NOTE = re.compile(
    rf"^[（(]?\s*(?:图|表|附图|附表)\s*[\d{CN_NUM}]|^(?:注|资料来源|数据来源|来源)\s*[：:]"
)
# The start of a date or signature line: 2023年5月10日 / 二〇二三年五月
RE_DATE_START = re.compile(
    rf"^[\d〇零{CN_NUM}○Ｏ]{{2,4}}\s*年(?:\s*[\d{CN_NUM}]{{1,2}}\s*月)?"
)
# Titles: 关于…的调研报告 / …调查报告
RE_TITLE_LIKE = re.compile(r"调研报告|调查报告|的报告$|^关于.{2,}的")
# Above the first body paragraph, a line naming the inquiry is the title, not a heading,
# even with a section word in it: "湄潭县发展壮大村级集体经济的调研与思考"
RE_TITLE_WORDS = re.compile(r"调研|调查|考察|报告|研究")
# Author lines: "张 三 李 四" / "执笔：王五" / "县委组织部课题组"
RE_AUTHOR_LINE = re.compile(
    rf"^(?:[{HAN_BASIC}]{{1,3}}\s+){{2,}}[{HAN_BASIC}]{{1,3}}$|执笔|撰稿|课题组|调研组\s*$|^作者"
)
# TOC leaders and page numbers: "基本情况……3" / "存在问题 .... 12"
RE_TOC_TAIL = re.compile(r"(?:[.．·…—_＿\s]{2,}|\s+)\d{1,3}\s*$|[.．·…_＿]{3,}$")
# A TOC heading line: 目录 / 目 录
RE_TOC_TITLE = re.compile(r"^目\s*录$")
# Characters that count as heading text (CJK, letters, opening quotes/brackets), or a year
# right after the marker: "三、2026年重点工作" is a heading, "1、2、3、" is not
RE_TEXTISH = re.compile(rf"[{HAN_BASIC}A-Za-z“‘「《（(\"]|(?:19|20)\d\d\s*年")
RE_HAS_CJK = re.compile(f"[{HAN_BASIC}]")

# A standard section title glued to its paragraph on a run-on web page, with no stop between:
# "基本情况湄潭县是全国重点产茶县，…" -> headline 基本情况
RE_GLUED_SECTION_TITLE = re.compile(
    r"(?:基本情况|总体情况|主要做法|存在的?(?:主要|突出)?问题|原因分析|对策建议|意见建议|几点建议"
    rf"|几点思考|下一步(?:工作)?打算|工作成效|主要成效)(?![的及和与是在较等中])(?=[{HAN_BASIC}])"
)
# Unnumbered headings that are accepted even alone: 基本情况 / 存在的问题 / 对策建议
RE_PLAIN_KEYWORD = re.compile(
    r"基本情况|总体情况|主要做法|做法|成效|经验|启示|存在的?(?:主要|突出)?问题|问题|原因|对策|建议|"
    r"思考|打算|下一步|措施|前言|引言|结语|结束语|总结|现状|调研情况|"
    r"工作回顾|工作安排|重点工作|主要任务|总体要求"
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


# ---- paragraph units (pipeline.text.paragraphs) -----------------------------------

# A vocative that opens a paragraph of a speech: "各位代表！…" / "各位代表，2017年是…"
# A paragraph that reports a finding from evidence ("调查显示，…", "据区财政部门反映，…",
# "根据本次对各村的调查，…"): in survey and audit reports each is a finding of its own
RE_FINDING_OPEN = re.compile(
    r"^(?:(?:本次|此次)?(?:问卷)?调查(?:结果)?(?:显示|表明|发现)|(?:统计|监测)?数据(?:显示|表明)"
    r"|(?:根据|从)[^，,。]{1,24}(?:调查|调研|统计|数据|问卷)[^，,。]{0,6}(?:来看|显示|看)?[，,]"
    r"|据[^，,。]{1,24}(?:反映|统计|显示|测算|调查))"
)
RE_VOCATIVE = re.compile(r"^(?:各位(?:代表|委员|同志)|同志们|代表们)\s*[，,！!：:]\s*")
# A dash that opens a lead paragraph: "——这五年，民生福祉不断增进。…" / "--履行财政职能，…"
RE_LEAD_DASH = re.compile(r"(?:——|—|－－|--)\s*")
# Where a lead phrase ends: the first sentence end or colon ("主要任务是：…" -> 主要任务是)
RE_LEAD_END = re.compile(r"[。！？；：!?;:]")
# Where a paragraph's first sentence ends, for telling a short lead ("稳外贸稳外资持续加力。")
RE_FIRST_SENTENCE_END = re.compile(r"[。！？!?]")
# A comma inside a lead: "依托山水资源，发展壮大乡村旅游产业。" is not a short lead
RE_LEAD_COMMA = re.compile(r"[，,]")
# Where a long lead phrase may be cut: after a comma or a dun
RE_LEAD_CUT = re.compile(r"[，,、]")
# A line wholly in brackets is a note or an affiliation, not a paragraph:
# "（1.红河学院马克思主义学院，云南蒙自661199;2.中共红河州委组织部）"
RE_BRACKETED_LINE = re.compile(r"^[（(【〔\[][^\n]*[）)】〕\]]$")
# Speech openers that are not units: "现在，我代表区政府向大会作工作报告，请予审议。"
RE_SPEECH_OPENER = re.compile(r"请予审议|向大会报告工作|作工作报告")
# Thanks and closing calls that end a speech's parts are not units either:
# "…表示衷心的感谢并致以崇高的敬意！" / "让我们…为建设美丽新宁夏而团结奋斗！"
RE_THANKS_END = re.compile(r"(?:感谢|谢意|敬意)[！!。]\s*$")
RE_CLOSING_CALL = re.compile(r"让我们[^。！!]*[！!]\s*$")

# A difficulties paragraph names problems in its lead-in ("我们也清醒认识到…还存在不少困难和挑战。
# 主要是：…"): a problem word and a word that frames it as what is lacking.
RE_PROBLEM_WORD = re.compile(r"困难|问题|不足|挑战|短板|弱项|差距|矛盾|薄弱")
RE_PROBLEM_FRAME = re.compile(
    r"清醒|存在|面临|不少|突出|依然|仍然|主要(?:是|有|表现)|表现(?:在|为)"
)
# After a problem cue, a lead-in may frame the difficulties as the situation rather than name
# them ("我们也清醒地看到，外部形势依然严峻，不确定因素增多。" then the list)
RE_DIFFICULTY_WORD = re.compile(RE_PROBLEM_WORD.pattern + r"|严峻|不确定|风险|压力|隐患|制约|瓶颈")
# Without a colon, the list follows "我们也清醒认识到，" / "同时也要看到，" in the same sentence
RE_PROBLEM_CUE = re.compile(r"清醒(?:地)?(?:认识|看)到|也要看到|也(?:应|要)?(?:清醒)?(?:地)?认识到")
# A sentence that closes a listed paragraph: "对此，我们将…" / "这些都是发展中的问题" / "我们一定…"
RE_LIST_CLOSING = re.compile(
    r"(?:同时，)?(?:对此|对于?这些|针对这些|对这些|我们(?:一定|将|要|必须|坚信)|这些(?:都是)?(?:问题)?"
    r"|必须直面|只要我们)"
)
# Separators of listed clauses, strongest first: "；" (and the 。 between groups), then "。",
# then "，" (a one-sentence list after a problem lead-in)
RE_CLAUSE_SEMICOLON = re.compile(r"[；;。！？!?]")
RE_CLAUSE_SENTENCE = re.compile(r"[。！？!?]")
RE_CLAUSE_COMMA = re.compile(r"[，,]")
# A comma part that leans on its neighbour: a cause or circumstance ("受外部环境影响，…"),
# a connective ("但…", "特别是…") or a bare subject ("一些地方，…")
RE_LEANING_PART = re.compile(
    r"^(?:受|由于|因为|随着|在|从|对|与|同|但|而|并|且|也|还|又|特别是|尤其|其中|加之|同时|"
    r"一方面|另一方面|以致|导致|使|致使|造成)"
)
# "…，等等" / "…等" closing a list: not part of the last clause
RE_LIST_TAIL = re.compile(r"[，,、]?\s*等等?\s*$")
# The colon that ends a list's lead-in: "主要是：" / "主要表现在："
# or a "主要是" without one ("…仍然不少，主要是外部环境变化影响加深，…")
RE_LIST_COLON = re.compile(r"[：:]|主要(?:是|有|表现[在为])(?![：:])")
# A paragraph that ends in a colon introduces what follows: "近年来，…其主要做法是："
RE_LEADIN_END = re.compile(r"[：:]\s*$")
# A comma or sentence end: the line is (a piece of) body text, not a title or a name
RE_CLAUSE_BREAK = re.compile(r"[，,。！？；!?;]")
# How a paragraph ends: a sentence end or a colon, maybe in quotes ("…解决。" / "…如下：" / "…。”")
RE_PARAGRAPH_END = re.compile(r"[。！？；：!?;:…][”’」』）)】]*\s*$")
