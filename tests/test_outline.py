"""Tests for the structure parser: synthetic fixtures, marker tables, and the seed gold."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from pipeline.text.outline import OutlineOptions, find_enum_items, parse_outline, read_marker
from pipeline.text.vocab import cn_to_int
from tests.conftest import GOLD, SEEDS

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "outline"


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


# ---- synthetic fixtures ------------------------------------------------------------

FIXTURE_NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_outline(name: str) -> None:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    units = parse_outline(text)
    got = [
        (u.marker, u.headline[: len(e["headline_prefix"])], u.level, u.kind)
        for u, e in zip(units, expected, strict=False)
    ]
    want = [(e["marker"], e["headline_prefix"], e["level"], e["kind"]) for e in expected]
    assert got == want
    assert len(units) == len(expected)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_spans_nest(name: str) -> None:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    _check_invariants(text, parse_outline(text))


def _check_invariants(text: str, units) -> None:
    for k, unit in enumerate(units):
        assert 0 <= unit.start < unit.end <= len(text)
        assert text[unit.start : unit.end].startswith(unit.marker)
        assert not text[unit.end - 1].isspace()
        if k:
            assert units[k - 1].start <= unit.start  # document order
        if unit.parent is not None:
            parent = units[unit.parent]
            assert unit.parent < k
            assert parent.start <= unit.start and unit.end <= parent.end
            assert unit.level == parent.level + 1
        else:
            assert unit.level == 1


# ---- markers -------------------------------------------------------------------------

MARKER_TABLE = [
    ("一、基本情况", "cn_dun", 1, "一、"),
    ("十二．问题", "cn_dot", 12, "十二．"),
    ("（三）加强领导", "cn_paren", 3, "（三）"),
    ("(四)完善制度", "cn_paren", 4, "(四)"),
    ("（2）培训不足", "ar_paren", 2, "（2）"),
    ("3.加强考核", "ar_dot", 3, "3."),
    ("4、强化保障", "ar_dun", 4, "4、"),
    ("5）落实责任", "ar_rparen", 5, "5）"),
    ("②服务不足", "circled", 2, "②"),
    ("2.1 补偿标准", "decimal2", 1, "2.1"),
    ("3.2.4 资金", "decimal3", 4, "3.2.4"),
    ("第二章 主要问题", "chapter_章", 2, "第二章"),
    ("第三部分 意见建议", "chapter_部分", 3, "第三部分"),
    ("【篇2】", "part", 2, "【篇2】"),
    ("短板一：带富能力不强。", "word_短板", 1, "短板一："),
    ("启示3、坚持党建引领", "word_启示", 3, "启示3、"),
]


@pytest.mark.parametrize(("line", "style", "number", "written"), MARKER_TABLE)
def test_read_marker(line: str, style: str, number: int, written: str) -> None:
    marker = read_marker(line)
    assert marker is not None
    assert (marker.style, marker.number, marker.written) == (style, number, written)


FALSE_MARKER_TABLE = [
    "1、2、3、",  # PDF chunk numbers
    "2019.全年",  # a year
    "1.2万人次的接待量",  # a quantity
    "3、4月份降雨偏少",  # months
    "一、二季度增长较快",  # a numeral run
    "（图1：学历结构）",  # a caption
    "1  东坪村  3000",  # a table row
    "全县共有学校四十所。",  # body text
    "问题一是收入来源单一。",  # a section word with an enumeration cue, not a marker
]


@pytest.mark.parametrize("line", FALSE_MARKER_TABLE)
def test_false_markers(line: str) -> None:
    assert read_marker(line) is None


CN_NUMBER_TABLE = [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("三十四", 34), ("7", 7)]


@pytest.mark.parametrize(("numeral", "value"), CN_NUMBER_TABLE)
def test_cn_to_int(numeral: str, value: int) -> None:
    assert cn_to_int(numeral) == value


# ---- headlines and enumerations --------------------------------------------------------

HEADLINE_TABLE = [
    # heading run into its paragraph: the headline is the first sentence, commas don't end it
    ("（一）强化引领，激发动力。一是学。", "（一）", "强化引领，激发动力"),
    ("二、存在问题：", "二、", "存在问题"),
    # first item run straight into the heading without punctuation
    ("一、存在问题一是经费不足。二是人手紧。", "一、", "存在问题"),
    ("1.因待遇偏低有怨气；调研发现", "1.", "因待遇偏低有怨气"),
]


@pytest.mark.parametrize(("text", "marker", "headline"), HEADLINE_TABLE)
def test_headline(text: str, marker: str, headline: str) -> None:
    first = parse_outline(text)[0]
    assert (first.marker, first.headline) == (marker, headline)


ENUM_TABLE = [
    ("主要表现：一是经费不足，二是人手紧张。", [("一是", "经费不足"), ("二是", "人手紧张")]),
    (
        "首先，摸清底数。其次，制定方案。最后，抓好落实。",
        [("首先", "摸清底数"), ("其次", "制定方案"), ("最后", "抓好落实")],
    ),
    ("第一，建机制。第二，强队伍。", [("第一，", "建机制"), ("第二，", "强队伍")]),
    ("其一，理念滞后。其二，投入不足。", [("其一", "理念滞后"), ("其二", "投入不足")]),
    ("一方面，补短板。另一方面，强弱项。", [("一方面", "补短板"), ("另一方面", "强弱项")]),
    ("一是先行先试。", [("一是", "先行先试")]),  # lone first item at paragraph start
    ("这是唯一的办法，统一是关键。", []),  # 一是 inside words
    ("全省排名第一，位居前列。二是", []),  # no 第二; 二是 without 一是
    ("工作中，二是关键。", []),  # a chain must start at 1
]


@pytest.mark.parametrize(("text", "expected"), ENUM_TABLE)
def test_enum_items(text: str, expected: list[tuple[str, str]]) -> None:
    items = find_enum_items(text, [(0, len(text))])
    assert [(i.marker, i.headline) for i in items] == expected


def test_nested_enumeration_and_spans() -> None:
    text = "一要建机制。首先，摸底。其次，立规。\n二要强队伍。招人。"
    items = find_enum_items(text, [(0, 18), (19, len(text))])
    assert [(i.marker, i.parent) for i in items] == [
        ("一要", None),
        ("二要", None),
        ("首先", 0),
        ("其次", 0),
    ]
    assert text[items[0].start : items[0].end] == text[:18]
    assert text[items[3].start : items[3].end] == "其次，立规。"


def test_plain_headings_need_body_after() -> None:
    text = (
        "【合成样例】标题\n关于某事的调研报告\n张三 李四\n"
        "基本情况\n全镇人口三万。\n存在的问题\n经费不足。\n某镇调研组\n"
    )
    units = parse_outline(text)
    headings = [(u.marker, u.headline) for u in units if u.kind == "heading"]
    assert headings == [("", "基本情况"), ("", "存在的问题")]


YEAR_HEADING_TABLE = [
    # a line that opens with its year is a heading when a section word follows the year
    ("二〇二二年工作回顾", True),
    ("2026年工作安排", True),
    ("2025年重点工作", True),
    # ... but a date line never is
    ("2019年3月", False),
    ("2018年至2020年", False),
    ("二〇二三年", False),
]


@pytest.mark.parametrize(("line", "is_heading"), YEAR_HEADING_TABLE)
def test_a_year_opens_a_heading_but_a_date_is_none(line: str, is_heading: bool) -> None:
    text = (
        "【合成样例】某区政府工作报告\n现在，我代表区政府向大会报告工作。\n"
        f"{line}\n过去一年，我们抓项目、稳就业，全区经济平稳运行。\n"
    )
    headings = [u.headline for u in parse_outline(text) if u.kind == "heading"]
    assert (line in headings) is is_heading


def test_options_lone_enum_items_off() -> None:
    text = "一、做法\n一是先行先试。\n"
    units = parse_outline(text, options=OutlineOptions(lone_enum_items=False))
    assert [u.kind for u in units if u.kind != "para"] == ["heading"]


# ---- real reports (read from ../shared at test time) -------------------------------------

# a line opening with 一、 / （一） / 1. starts a paragraph of its own
RE_LINE_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、])"
)


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _rejoin(raw: str) -> str:
    """Crude stand-in for cleaning a hard-wrapped report: rejoin lines, end paragraphs at 。."""
    lines = [line.strip() for line in raw.split("\n")]
    lines = [line for line in lines if re.search(r"[\u4e00-\u9fff]", line)]
    widths = sorted(_width(line) for line in lines)
    typical = widths[int(len(widths) * 0.75)]
    paragraphs, current = [], ""
    for line in lines:
        if current and RE_LINE_MARKER.match(line):
            paragraphs.append(current)
            current = ""
        current += line
        if re.search(r"[。！？；]”?$", line) or _width(line) < 0.9 * typical:
            paragraphs.append(current)
            current = ""
    return "\n".join(paragraphs + [current])


def _split_one_line(raw: str) -> str:
    """Crude stand-in for cleaning a one-line report: full-width commas, split at 一、."""
    raw = raw.replace(",", "，").replace(";", "；").replace(":", "：")
    return re.sub(r"(?=[一二三四五六七八九十]、)", "\n", raw)


def _seed(number: int) -> str:
    paths = sorted(SEEDS.glob(f"{number:03d}_*.txt"))
    if not paths:
        pytest.skip("seed reports not available")
    raw = paths[0].read_text(encoding="utf-8")
    return {1: _split_one_line, 2: _rejoin}.get(number, lambda t: t)(raw)


@pytest.mark.parametrize("number", [0, 2])
def test_seed_gold_keys_found(number: int) -> None:
    if not GOLD.exists():
        pytest.skip("gold not available")
    text = _seed(number)
    docs = json.loads(GOLD.read_text(encoding="utf-8"))["docs"]
    name = next(k for k in docs if k.startswith(f"{number:03d}_"))
    units = parse_outline(text)
    heads = [_norm(u.marker + u.headline) for u in units]
    keys = [item["key"] for item in docs[name]["items"]]
    missing = [key for key in keys if not any(_norm(key) in head for head in heads)]
    assert missing == []
    _check_invariants(text, units)


@pytest.mark.parametrize(
    ("number", "kinds"), [(1, {"heading": 2, "enum": 8}), (3, {"heading": 17, "enum": 15})]
)
def test_seed_structure(number: int, kinds: dict[str, int]) -> None:
    text = _seed(number)
    units = parse_outline(text)
    counts = {kind: sum(1 for u in units if u.kind == kind) for kind in kinds}
    assert counts == kinds
    assert all(u.headline for u in units)
    _check_invariants(text, units)


def test_large_input_parses() -> None:
    # speed is measured in bench/, not asserted here; this only checks 100k chars work
    text = (FIXTURES / "07_transport_skipped_level.txt").read_text(encoding="utf-8")
    big = (text * (100_000 // len(text) + 1))[:100_000]
    assert parse_outline(big)


def test_misnumbered_run_in_heading_stays_a_sibling():
    text = (
        "二、主要做法\n"
        "（一）推进医共体建设。由县医院牵头组建医共体。\n"
        "（三）做实签约服务。组建家庭医生团队十二个。\n"
        "（二）改善基础设施。改造卫生院业务用房三处。\n"
    )
    spans = parse_outline(text)
    children = [s.marker for s in spans if s.parent == 0]
    assert children == ["（一）", "（三）", "（二）"]


def test_known_title_is_not_a_plain_heading():
    text = (
        "【合成样例】示例文本，非真实报告。\n"
        "某县发展村级集体经济的调研与思考\n"
        "村级集体经济是基层组织运转的物质基础，近年来各村收入稳步增长。\n"
        "一、主要做法\n"
        "各村盘活闲置资产，发展特色产业。\n"
    )
    spans = parse_outline(text, title="某县发展村级集体经济的调研与思考")
    assert [s.headline for s in spans if s.level == 1 and s.kind == "heading"] == ["主要做法"]


def test_section_title_glued_to_its_paragraph_is_cut_from_the_headline():
    text = (
        "一、基本情况某县是传统农业大县，耕地面积稳定在八十万亩左右，粮食产量连续增长。\n"
        "二、主要做法\n"
        "（一）完善服务体系。建成县乡村三级服务站点。\n"
    )
    spans = parse_outline(text)
    assert [s.headline for s in spans if s.level == 1] == ["基本情况", "主要做法"]


def test_the_stage_on_forked_workers_writes_what_it_writes_in_process(tmp_path, monkeypatch):
    """Parsing on workers (a few documents per task, one that raises) changes no unit."""
    import shutil

    from pipeline.config import Config, load_config
    from pipeline.runner import run_pipeline
    from pipeline.stages import structure
    from pipeline.store import Store
    from tests.conftest import SAMPLE_CORPUS

    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, corpus)
    monkeypatch.setattr(structure, "DOCS_PER_TASK", 2)
    real_parse = structure.outline.parse_outline

    def parse_or_fail(text: str, **kwargs):  # one document breaks the parser
        if "乡镇卫生院" in text[:80]:
            raise ValueError("parser broke")
        return real_parse(text, **kwargs)

    monkeypatch.setattr(structure.outline, "parse_outline", parse_or_fail)
    config = load_config(corpus=corpus)
    outcomes = []
    for name, min_chars in (("here", 10**12), ("workers", 0)):
        outline_keys = {**config.sections["outline"], "parallel_min_chars": min_chars}
        chosen = Config({**config.sections, "outline": outline_keys})
        assert chosen.digest("outline") == config.digest("outline")  # scheduling only
        out = tmp_path / name
        run_pipeline(out, chosen, corpus=corpus, stages=("ingest", "structure"), jobs=2)
        store = Store(out / "diaoyan.sqlite", read_only=True)
        try:
            outcomes.append((list(store.iter_units()), store.get_work_keys("structure"),
                             [e[:2] + e[3:] for e in store.iter_doc_errors()]))
        finally:
            store.close()
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] and len(outcomes[0][2]) == 1  # units written, one document failed
