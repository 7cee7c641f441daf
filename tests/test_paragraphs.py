"""Paragraph units: lead-phrase paragraphs, listed clauses, and which paragraphs are units.

The synthetic texts here are invented in the style of government work reports and
调研报告; the last test scores the real reports in ../shared against the gold (dev part).
"""

from __future__ import annotations

import json
import unicodedata

import pytest

from pipeline.text.listed_clauses import listed_clauses
from pipeline.text.outline import OutlineOptions, parse_outline, read_marker
from pipeline.text.paragraphs import lead_headline, opens_with_lead
from tests.conftest import REPO, SHARED


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


# ---- lead phrases -----------------------------------------------------------------------

LEAD_TABLE = [
    ("稳外贸稳外资持续加力。外贸实现逆势增长。", "稳外贸稳外资持续加力"),
    ("——这五年，民生福祉不断增进。居民收入稳步提高。", "这五年，民生福祉不断增进"),
    ("各位代表！我们也清醒认识到，工作中还有不足。", "我们也清醒认识到，工作中还有不足"),
    ("各位代表，过去一年极不平凡。", "过去一年极不平凡"),
    ("今年工作的主要任务是：抓好项目建设，办好民生实事。", "今年工作的主要任务是"),
    # a long first sentence is cut at a comma
    (
        "过去的一年，在县委、县政府的坚强领导下，在县人大、县政协的监督支持下，我们团结带领"
        "全县各族人民，迎难而上，各项事业取得新进展。",
        "过去的一年，在县委、县政府的坚强领导下，在县人大、县政协的监督支持下，我们团结带领全县各族人民，迎难而上",
    ),
]


@pytest.mark.parametrize(("paragraph", "headline"), LEAD_TABLE)
def test_lead_headline(paragraph: str, headline: str) -> None:
    assert lead_headline(paragraph) == headline


OPENS_WITH_LEAD_TABLE = [
    ("着力稳定房地产市场。推动存量房收储。", True),
    ("坚持依法行政。自觉接受人大监督。", True),
    ("——履行财政职能，抓好收支管理。", True),
    ("全县现有小学四十所、初中十一所，在校学生约三万人。近年来校舍改善。", False),  # a comma
    ("调研采取实地查看和个别访谈相结合的方式进行。", False),  # nothing after it
]


@pytest.mark.parametrize(("paragraph", "lead"), OPENS_WITH_LEAD_TABLE)
def test_opens_with_lead(paragraph: str, lead: bool) -> None:
    assert opens_with_lead(paragraph) is lead


# ---- listed clauses ----------------------------------------------------------------------

CLAUSE_TABLE = [
    (
        "我们也清醒认识到，工作中还存在一些不足。主要是：产业基础薄弱；财政收支矛盾突出；"
        "公共服务还有短板。对此，我们将认真加以解决。",
        ["产业基础薄弱", "财政收支矛盾突出", "公共服务还有短板"],
    ),
    (  # 。 between the clauses after a lead-in with a colon
        "同时也要看到，发展中还存在不少困难和问题，主要表现在：县域经济实力不强。"
        "城乡基础设施不够完善。我们一定高度重视。",
        ["县域经济实力不强", "城乡基础设施不够完善"],
    ),
    (  # no colon: the list follows 清醒认识到 in the same sentence
        "我们也清醒认识到，发展不平衡问题依然突出；生态环境仍有薄弱环节；"
        "民生保障还有差距，等等。对这些问题，我们将采取有力措施。",
        ["发展不平衡问题依然突出", "生态环境仍有薄弱环节", "民生保障还有差距"],
    ),
    (  # a lead-in sentence, then the clauses as sentences
        "同时我们清醒地看到，全县发展中老问题、新挑战仍然不少。有效需求不足。"
        "部分企业经营困难。对此我们将坚决改进。",
        ["有效需求不足", "部分企业经营困难"],
    ),
    (  # a lead-in that frames the situation (严峻, 不确定) without a problem word
        "我们也清醒地看到，外部形势仍然严峻，不确定因素较多。县域产业链条偏短，"
        "园区配套不够完善，部分农户增收乏力。我们一定正视这些问题。",
        ["县域产业链条偏短", "园区配套不够完善", "部分农户增收乏力"],
    ),
    (  # ... but a plain statement after the cue is no list
        "我们也清醒地看到，全县上下干劲十足，发展势头良好。今年要抓项目。抓招商。", [],
    ),
    (  # one sentence: the clauses are separated by commas
        "同时我们也清醒认识到，政府工作还存在不少问题和不足。主要是：经济基础还不牢固，"
        "创新动能还需加力，民生保障还有短板。我们要以更务实举措改进工作。",
        ["经济基础还不牢固", "创新动能还需加力", "民生保障还有短板"],
    ),
    (  # a short sentence that names several problems gives one clause each ...
        "我们也清醒认识到，发展中还存在不少困难。主要是：有效需求不足，部分企业生产经营困难；"
        "受外部环境影响，外贸出口增长放缓；县级财政收支矛盾突出。",
        ["有效需求不足", "部分企业生产经营困难", "受外部环境影响，外贸出口增长放缓",
         "县级财政收支矛盾突出"],
    ),  # ... but a part that leans on its neighbour (受…影响) keeps the sentence whole
    (  # a list of targets needs semicolons
        "今年主要预期目标是：生产总值增长6%左右；城镇新增就业3000人；粮食产量保持稳定。",
        ["生产总值增长6%左右", "城镇新增就业3000人", "粮食产量保持稳定"],
    ),
    ("今年工作的总体要求是：坚持稳中求进，抓好项目建设，办好民生实事。", []),
    ("全县现有小学四十所，初中十一所，在校学生约三万人。", []),
]


@pytest.mark.parametrize(("paragraph", "clauses"), CLAUSE_TABLE)
def test_listed_clauses(paragraph: str, clauses: list[str]) -> None:
    found = listed_clauses(paragraph)
    assert [headline for _start, _end, headline in found] == clauses
    assert all(paragraph[start:end] == headline for start, end, headline in found)


# ---- which paragraphs are units ---------------------------------------------------------

GOVERNMENT_REPORT = """【合成样例】2026年某县政府工作报告
——2026年1月20日在某县第十届人民代表大会第五次会议上
县长 王某
各位代表：
现在，我代表县人民政府向大会报告工作，请予审议。
一、2025年工作回顾
2025年是极不平凡的一年。全县上下迎难而上，经济社会发展稳中有进。
一年来，全县经济运行稳中向好。一是产业发展提质增效，二是民生福祉持续改善。
稳增长政策加快落地。出台稳经济措施二十条，新开工项目八十个。
乡村振兴扎实推进。建成高标准农田五万亩，粮食产量再创新高。
我们也清醒认识到，工作中还存在一些不足。主要是：产业基础薄弱；财政收支矛盾突出；公共服务还有短板。对此，我们将认真加以解决。
这些成绩的取得，是全县人民团结奋斗的结果。在此，我代表县人民政府，向全县人民表示衷心感谢！
二、2026年重点工作
（一）着力扩大有效需求
更大力度提振消费。开展消费季活动，发放消费券一千万元。
加力扩大有效投资。谋划储备重大项目一百个。
各位代表！让我们紧密团结起来，为建设美丽新某县而努力奋斗！
"""


def test_government_report_paragraph_units() -> None:
    units = parse_outline(GOVERNMENT_REPORT)
    got = [(u.kind, (u.marker + u.headline)[:12], u.level) for u in units]
    assert got == [
        ("heading", "一、2025年工作回顾", 1),
        ("para", "2025年是极不平凡的一", 2),
        ("para", "一年来，全县经济运行稳中", 2),
        ("enum", "一是产业发展提质增效", 3),
        ("enum", "二是民生福祉持续改善", 3),
        ("para", "稳增长政策加快落地", 2),
        ("para", "乡村振兴扎实推进", 2),
        ("para", "我们也清醒认识到，工作中", 2),
        ("clause", "产业基础薄弱", 3),
        ("clause", "财政收支矛盾突出", 3),
        ("clause", "公共服务还有短板", 3),
        ("heading", "二、2026年重点工作", 1),
        ("heading", "（一）着力扩大有效需求", 2),
        ("para", "更大力度提振消费", 3),
        ("para", "加力扩大有效投资", 3),
    ]
    for unit in units:  # children inside their parents, paragraph spans on their lines
        if unit.parent is not None:
            parent = units[unit.parent]
            assert parent.start <= unit.start and unit.end <= parent.end
        if unit.kind == "para":
            assert "\n" not in GOVERNMENT_REPORT[unit.start : unit.end]


SURVEY_REPORT = """【合成样例】关于村级集体经济发展的调研报告
村级集体经济是基层组织运转的物质基础。为摸清底数，调研组走访了十个村。
一、基本情况
全镇共有行政村十八个，集体经营性收入全部超过十万元。
二、存在的问题
从调研情况看，全镇集体经济发展还存在一些短板，主要有以下方面。
（一）收入来源单一。多数村依靠租金收入，抗风险能力弱。
部分村的租金合同期限过长，收入多年不变，难以随市场调整。
（二）经营人才匮乏。村干部普遍缺少市场经营经验。
三、对策建议
（一）拓宽增收渠道。鼓励村集体领办物业服务。
（二）加强人才培养。每年组织村干部外出学习。
"""


def test_survey_report_paragraphs_that_continue_an_item_are_not_units() -> None:
    units = parse_outline(SURVEY_REPORT)
    paragraphs = [u.headline[:10] for u in units if u.kind == "para"]
    # the opening, the text under a top-level title, a section's introduction — not the
    # paragraph that goes on with item （一）
    assert paragraphs == ["村级集体经济是基层组", "全镇共有行政村十八个", "从调研情况看，全镇集"]
    intro = next(u for u in units if u.headline.startswith("从调研情况看"))
    assert units[intro.parent].headline == "存在的问题"


def test_report_without_markers_has_its_paragraphs_as_units() -> None:
    text = (
        "【合成样例】某镇人居环境整治情况的报告\n"
        "近年来，某镇把人居环境整治作为民生实事来抓，村容村貌明显改善。\n"
        "但是，部分村垃圾清运不及时，群众仍有意见。\n"
        "下一步，某镇将完善长效管护机制，推动整治常态化。\n"
    )
    units = parse_outline(text)
    assert [(u.kind, u.headline[:6]) for u in units] == [
        ("para", "近年来，某镇"), ("para", "但是，部分村"), ("para", "下一步，某镇"),
    ]


def test_a_lead_line_heads_the_paragraph_after_it() -> None:
    text = (
        "一、工作回顾\n" + "\n".join(
            f"{lead}\n{body}" for lead, body in [
                ("生态底色更加亮丽。", "推进国土绿化行动，完成造林一万亩。"),
                ("经济运行持续向好。", "地区生产总值增长百分之五，财政收入稳步增长。"),
                ("民生改善可感可及。", "新增城镇就业五千人，十件民生实事全部完成。"),
                ("安全基础不断夯实。", "粮食产量稳定，安全生产形势总体平稳。"),
            ]
        )
    )
    units = parse_outline(text)
    paragraphs = [u for u in units if u.kind == "para"]
    assert [u.headline for u in paragraphs] == [
        "生态底色更加亮丽", "经济运行持续向好", "民生改善可感可及", "安全基础不断夯实",
    ]
    assert text[paragraphs[0].start : paragraphs[0].end].endswith("完成造林一万亩。")


def test_a_closing_leadin_stays_outside_the_paragraph_unit() -> None:
    # "其主要做法是：" introduces the headings after it (the tagger reads it as their lead-in)
    text = (
        "【合成样例】某县推进高标准农田建设的经验做法\n"
        "近年来，某县累计建成高标准农田四十万亩，粮食总产稳定增长。其主要做法是：\n"
        "一、坚持规划引领\n县里编制了建设规划，分解任务到乡镇。\n"
        "二、坚持多元投入\n县财政每年安排配套资金三千万元。\n"
        "为巩固建设成果，重点抓好以下工作：\n"
    )
    units = parse_outline(text)
    opening = units[0]
    assert opening.kind == "para"
    assert opening.headline == "近年来，某县累计建成高标准农田四十万亩，粮食总产稳定增长"
    assert text[opening.start : opening.end].endswith("稳定增长。")
    assert not any(u.headline.startswith("为巩固建设成果") for u in units)  # a lead-in alone


def test_paragraph_units_can_be_switched_off() -> None:
    units = parse_outline(GOVERNMENT_REPORT, options=OutlineOptions(paragraph_units=False))
    assert {u.kind for u in units} == {"heading", "enum"}


# ---- markers of real reports ----------------------------------------------------------------

MARKER_TABLE = [
    ("三、2026年重点工作", "cn_dun", 3),  # a year right after the marker is a heading
    ("一、2022年度区本级预算执行情况", "cn_dun", 1),
    ("一 调研背景", "cn_bare", 1),  # a numeral and a space
    ("二 乌当区2乡6镇整体概况", "cn_bare", 2),
]


@pytest.mark.parametrize(("line", "style", "number"), MARKER_TABLE)
def test_real_report_markers(line: str, style: str, number: int) -> None:
    marker = read_marker(line)
    assert marker is not None and (marker.style, marker.number) == (style, number)


@pytest.mark.parametrize("line", ["1、2、3、", "十 大 民 生 工 程", "一、二季度增长较快"])
def test_not_markers(line: str) -> None:
    assert read_marker(line) is None


# ---- the real reports (read from ../shared at test time) --------------------------------

GOLD_FILES = ("provinces-2026.json", "real-dev.json", "short-excerpts.json", "web-openings.json")


def _dev_gold() -> dict[str, dict]:
    heldout: set[str] = set()
    for path in (REPO / "tests" / "gold").glob("split-*.json"):
        heldout.update(json.loads(path.read_text("utf-8"))["heldout"])
    docs: dict[str, dict] = {}
    for name in GOLD_FILES:
        docs.update(json.loads((REPO / "tests" / "gold" / name).read_text("utf-8"))["docs"])
    return {name: doc for name, doc in docs.items() if name not in heldout}


def test_real_reports_dev_item_recall() -> None:
    corpus = SHARED / "corpus"
    if not (corpus / "provinces-2026").is_dir():
        pytest.skip("../shared/corpus not present")
    from pipeline.readers.dispatch import read_file
    from pipeline.text.clean import clean

    paths = {path.name: path for path in corpus.rglob("*.txt")}
    found = total = 0
    for name, doc in _dev_gold().items():
        raw = read_file(paths[name]).text
        heads = [_norm(u.marker + u.headline) for u in parse_outline(clean(raw).text)]
        keys = [_norm(item["key"]) for item in doc["items"]]
        found += sum(any(key in head for head in heads) for key in keys)
        total += len(keys)
    assert found / total >= 0.97, f"{found}/{total}"


FINDING_TABLE = [
    ("调查显示，六成受访者不了解补贴政策，宣传仍不到位。", True),
    ("数据表明，全镇养老床位使用率偏低，空置较多。", True),
    ("据镇财政所统计，去年村级收入平均十二万元，差距较大。", True),
    ("根据本次对各村的调查，多数村缺少稳定收入，增收渠道窄。", True),
    # the body of an item goes on without a finding lead: no unit of its own
    ("多数受访者表示愿意参加培训，但时间难以保证。", False),
]


@pytest.mark.parametrize(("paragraph", "is_unit"), FINDING_TABLE)
def test_a_finding_paragraph_in_an_item_is_a_unit(paragraph: str, is_unit: bool) -> None:
    text = (
        "【合成样例】某镇惠民政策知晓情况调查报告\n一、基本情况\n"
        "本次调查共发放问卷五百份，收回有效问卷四百八十份。\n二、调查发现\n（一）政策知晓度有待提高\n"
        "受访者以农户为主，年龄多在四十岁以上，文化程度普遍不高。\n"
        f"{paragraph}\n（二）满意度总体较高\n九成受访者对政策落实表示满意。\n"
    )
    heads = [u.headline for u in parse_outline(text) if u.kind == "para"]
    assert any(paragraph.startswith(h[:8]) for h in heads) is is_unit
