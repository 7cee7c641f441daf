"""Tests of the gazetteer index and the report-level region resolver."""


import pytest

from pipeline.analysis.gazetteer import load_gazetteer, short_names_of
from pipeline.analysis.places import resolve_region, scan_mentions
from pipeline.records import Region
from tests.conftest import SEEDS


@pytest.mark.parametrize(
    ("name", "shorts"),
    [
        ("临泽县", ("临泽",)),
        ("巴中市", ("巴中",)),
        ("广西壮族自治区", ("广西",)),
        ("恩施土家族苗族自治州", ("恩施",)),
        ("峨边彝族自治县", ("峨边",)),
        ("巴音郭楞蒙古自治州", ("巴音郭楞", "巴州")),
        ("沛县", ()),  # one char left: no short name
    ],
)
def test_short_names(name, shorts):
    assert short_names_of(name) == shorts


def test_index_levels_and_parents():
    gaz = load_gazetteer()
    linze = gaz.places[gaz.by_full["临泽县"][0]]
    assert linze.level == "county"
    assert [p.name for p in gaz.chain(linze.code)] == ["临泽县", "张掖市", "甘肃省"]
    chaoyang = {gaz.places[c].parent for c in gaz.by_full["朝阳区"]}
    assert "11" in chaoyang  # a Beijing district sits right under the municipality
    assert set(gaz.by_short["巴州"]) == {*gaz.by_full["巴州区"], *gaz.by_full["巴音郭楞蒙古自治州"]}


@pytest.mark.parametrize(
    "text",
    [
        "需要加强和政府部门的沟通",  # 和政(县) inside 和政府
        "把效益最大化",  # 大化(瑶族自治县) inside 最大化
        "文山会海问题仍然存在",  # 文山 inside an idiom
        "提高县级财政保障能力",  # 高县 inside 提高县级
        "东方市场主体活力",  # 东方市 followed by 场
        "坚持绿水青山就是金山银山",  # 青山 / 金山 are ordinary words
        "巴州区凌云乡",  # 凌云乡 is a township, not 凌云县
    ],
)
def test_words_that_are_not_places(text):
    names = {load_gazetteer().places[c].name for m in scan_mentions(text) for c in m.codes}
    assert not names - {"巴州区"}


SYNTHETIC_CASES = [
    ("county_other_province", "关于黟县乡村旅游发展的调研报告",
     "为摸清全县乡村旅游发展现状，县委组织调研组走访了黟县八个乡镇。全县共有旅游示范村十二个。",
     Region("安徽省", "黄山市", "黟县", "341023")),
    ("municipality_district", "北京市朝阳区社区治理情况调查",
     "近年来，朝阳区持续推进街乡吹哨改革，全区共有社区三百余个。",
     Region("北京市", "北京市", "朝阳区", "110105")),
    ("autonomous_county", None,
     "峨边彝族自治县地处小凉山腹地。近年来全县茶叶产业发展较快，峨边茶农收入明显提高。",
     Region("四川省", "乐山市", "峨边彝族自治县", "511132")),
    ("city_lists_counties", "关于农村养老服务的调研报告",
     "调研组先后到瑞金市、于都县、兴国县、宁都县、石城县实地走访。全市老年人口占比较高，于都县、"
     "兴国县互助养老点覆盖率超过六成，瑞金市和宁都县仍有短板，石城县推行积分养老。",
     Region("江西省", "赣州市", None, "360700")),
    ("comparison_does_not_win", "关于村级集体经济发展的调研报告",
     "全县村级集体经济整体偏弱。今年组织干部赴浙江省安吉县学习考察。全县将着力培育特色产业。",
     Region()),
    ("home_beats_comparison", "临泽县村级集体经济调研",
     "全县村级集体经济整体偏弱。今年组织干部赴浙江省安吉县学习考察。全县上下形成合力。",
     Region("甘肃省", "张掖市", "临泽县", "620723")),
    ("no_place", "关于基层减负的思考",
     "基层干部反映文山会海问题仍然存在，和政府部门沟通成本较高，需要最大化发挥平台作用。",
     Region()),
    ("ambiguous_full_name", "南京市鼓楼区老旧小区改造调研",
     "鼓楼区是中心城区，全区老旧小区数量多。鼓楼区在改造中坚持居民自治。",
     Region("江苏省", "南京市", "鼓楼区", "320106")),
    ("ambiguous_short_xinjiang", None,
     "新疆巴州地域辽阔。近年来巴州持续推进棉花机采，库尔勒市、尉犁县、轮台县等地成效明显，"
     "全州农业现代化水平不断提高。",
     Region("新疆维吾尔自治区", "巴音郭楞蒙古自治州", None, "652800")),
    ("ambiguous_short_sichuan", None,
     "巴中市巴州区地处川东北。巴州近年来推进乡村振兴，全区干部群众干劲十足。",
     Region("四川省", "巴中市", "巴州区", "511902")),
    ("province_lists_cities", "甘肃省基层党建工作调研报告",
     "全省各地积极探索，兰州市、天水市、张掖市、酒泉市各具特色。全省共有基层党组织若干。",
     Region("甘肃省", None, None, "620000")),
    ("two_char_county", None,
     "叶县位于河南省中部。全县着力提高县级财政保障能力，叶县还注重治理县域环境。",
     Region("河南省", "平顶山市", "叶县", "410422")),
    ("anonymised_county", None, "X县去年新招录干部较多，全县基层力量有所增强。", Region()),
]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [case[1:] for case in SYNTHETIC_CASES],
    ids=[case[0] for case in SYNTHETIC_CASES],
)
def test_resolve_region_synthetic(title, text, expected):
    assert resolve_region(text, title=title) == expected


SEED_CASES = [
    ("000_", Region()),
    ("001_", Region()),
    ("002_", Region("四川省", "巴中市", None, "511900")),
    ("003_", Region("甘肃省", "张掖市", "临泽县", "620723")),
]


@pytest.mark.parametrize(("prefix", "expected"), SEED_CASES)
def test_resolve_region_seeds(prefix, expected):
    paths = sorted(SEEDS.glob(f"{prefix}*.txt")) if SEEDS.exists() else []
    if not paths:
        pytest.skip("shared seed corpus not available")
    assert resolve_region(paths[0].read_text(encoding="utf-8")) == expected
