"""Tests of the gazetteer index and the report-level region resolver."""


import pytest

from pipeline.analysis import gazetteer
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


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("红河州坚持党建引领", "红河哈尼族彝族自治州"),  # customary: short name + 州
        ("乳源县审计局", "乳源瑶族自治县"),  # customary: short name + 县
        ("红河县地处哀牢山区", "红河县"),  # a county of its own, not 红河州
    ],
)
def test_customary_names_of_autonomous_units(text, name):
    mention = scan_mentions(text)[0]
    assert mention.full and [load_gazetteer().places[c].name for c in mention.codes] == [name]


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
        "山东能源集团推进改革",  # a company named after its province
        "济南大学组织部",  # a university named after its city
        "坚持科教兴县、人才强县",  # 兴县 is a county, and a word
        "新城区建设加快推进",  # 新城区: "the new town" (呼和浩特, 西安)
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


# Classes of real reports, by the level the report speaks for. Expected: names of the
# place (province, city, county) or None when nothing names it.
LEVEL_CASES = [
    # a province-wide report that names one county in passing is the province's
    ("province_report_one_county", "2025年甘肃省政府工作报告",
     "——2025年1月15日在甘肃省第十四届人民代表大会第三次会议上\n省长 某某\n各位代表：\n"
     "现在，我代表省人民政府向大会报告工作。过去一年，全省经济稳中有进。临泽县玉米制种基地建成投产，"
     "全省粮食产量再创新高。全省上下团结奋斗。", ("甘肃省", None, None)),
    ("province_speaker_without_name_in_head", "政府工作报告",
     "各位代表：\n现在，我代表省人民政府向大会报告工作。过去一年，全省经济稳中有进。临泽县玉米制种"
     "基地建成投产，甘肃粮食产量再创新高。全省上下团结奋斗，全省人民共同努力。",
     ("甘肃省", None, None)),
    ("province_survey_of_its_counties", "关于县域经济发展的调研报告",
     "调研组先后赴临泽县、高台县、民乐县、山丹县、永昌县、玉门市、敦煌市、会宁县、靖远县、通渭县实地"
     "走访。我省县域经济总体偏弱，全省县域生产总值占比不足一半。临泽县、高台县制种产业特色鲜明，"
     "会宁县、通渭县仍较薄弱。", ("甘肃省", None, None)),
    ("province_survey_one_sample", "关于全省农村改革的调研报告",
     "我们选取临泽县作为样本开展调研。临泽县土地流转面积较大，临泽县合作社数量多，"
     "临泽县农民增收明显。全省农村改革总体进展顺利，我省将继续深化改革，甘肃全省上下共同努力。",
     ("甘肃省", None, None)),
    ("autonomous_region_report", "2026年广西壮族自治区政府工作报告",
     "——2026年1月9日在广西壮族自治区人民代表大会会议上\n自治区主席 某某\n各位代表：\n"
     "过去一年，全区经济稳中向好。南宁市青秀区、柳州市柳北区产业集聚发展，全区上下团结奋斗。",
     ("广西壮族自治区", None, None)),
    # a report about one place named by a short or customary name, or only in its body
    ("county_short_name_in_title", "临泽农村人居环境整治调研",
     "近年来，全县持续推进农村人居环境整治，县委、县政府高度重视。全县累计改厕数量稳步增长。",
     ("甘肃省", "张掖市", "临泽县")),
    ("district_without_its_city", "关于东湖区老旧小区改造的调研报告",
     "为摸清底数，区委组织调研组走访了各街道。全区共有老旧小区若干个，改造任务繁重。",
     ("江西省", "南昌市", "东湖区")),
    ("customary_prefecture_name", "红河州基层党建工作调研报告",
     "近年来，红河州坚持以党建引领基层治理，全州基层党组织建设不断加强。",
     ("云南省", "红河哈尼族彝族自治州", None)),
    ("named_in_body_only", "关于农村人居环境整治的调研报告",
     "近年来，峨边彝族自治县坚持把人居环境整治作为重点工作，全县上下形成合力。"
     "峨边茶农收入明显提高。",
     ("四川省", "乐山市", "峨边彝族自治县")),
    ("district_issuer_under_city_bodies", "政府工作报告",
     "——2019年3月4日在海拉尔区第十五届人民代表大会第三次会议上\n海拉尔区人民政府区长 某某\n"
     "各位代表：\n"
     "过去一年，在呼伦贝尔市委、市政府的坚强领导下，全区经济平稳增长。全区上下共同努力。",
     ("内蒙古自治区", "呼伦贝尔市", "海拉尔区")),
    ("county_level_city_issuer", None,
     "2018年10月9日在慈溪市人大常委会会议上\n市审计局局长 某某\n我受市人民政府委托，"
     "向市人大常委会报告我市审计整改情况。全市各部门高度重视。", ("浙江省", "宁波市", "慈溪市")),
    ("city_report_with_case_county", "关于全市乡村振兴工作的调研报告",
     "为全面掌握全市乡村振兴推进情况，市委政研室组成调研组，重点剖析了临泽县。"
     "临泽县的做法是：一是……。临泽县还注重……。临泽县农民收入增长较快。高台县、民乐县也有亮点。全市共有行政村若干个，"
     "张掖市乡村振兴整体推进。全市上下形成合力。", ("甘肃省", "张掖市", None)),
    ("city_team_reports_on_a_county", "关于临泽县干部队伍建设的调研报告",
     "张掖市委组织部课题组\n为深入了解全市干部队伍建设情况，市委组织部调研组赴临泽县开展专题调研。"
     "临泽县共有干部若干名。", ("甘肃省", "张掖市", "临泽县")),
    ("customs_district_speaks_for_its_city", "机关党建调研报告",
     "近年来，宁波海关坚持党建引领。宁波海关基层党组织持续加强，宁波海关党委高度重视。",
     ("浙江省", "宁波市", None)),
    # the author's own place, not the places visited, an affiliation or a company
    ("own_place_beats_places_visited", "关于发展乡村旅游的调研报告",
     "为学习借鉴浙江经验，临泽县组织干部赴浙江省安吉县学习考察。安吉县的做法值得借鉴，浙江省各地乡村"
     "旅游发达。临泽县乡村旅游起步较晚，全县共有旅游示范村十二个。",
     ("甘肃省", "张掖市", "临泽县")),
    ("affiliation_town_is_not_the_place", "关于村级集体经济发展的调研报告",
     "张三，李四\n（甘肃农业大学经济管理学院，甘肃兰州730070）\n近年来，临泽县村级集体经济发展较快，"
     "全县村集体经营性收入稳步增长，全县上下形成合力。", ("甘肃省", "张掖市", "临泽县")),
    ("affiliation_gives_the_province", "省属高校青年教师发展现状与对策研究",
     "王五\n（某某大学人事处，山东济南250100）\n我省省属高校青年教师队伍不断壮大。调查显示，"
     "我省高校青年教师科研压力较大。", ("山东省", None, None)),
    ("company_is_not_a_place", "关于国有企业基层党建的调研报告",
     "山东能源集团所属基层党组织持续推进党建工作与生产经营深度融合，"
     "四川大学课题组也开展了研究。", None),
    # null rather than a guess
    ("level_words_without_a_name", "关于基层减负的思考",
     "基层干部反映文山会海问题仍然存在，全县各部门需要进一步精简会议文件，县委要带头。", None),
    ("anonymised_county_beside_a_named_one", "关于X县农村养老服务的调研报告",
     "X县地处西北，全县老年人口占比较高。与相邻的临泽县相比，全县养老机构床位明显不足。", None),
    ("ordinary_words_that_are_short_names", "关于基层治理的调研报告",
     "全县新建改造村级活动场所十个，惠农政策落实到位。新建道路二十公里。全县上下共同努力。", None),
]


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [case[1:] for case in LEVEL_CASES],
    ids=[case[0] for case in LEVEL_CASES],
)
def test_resolve_region_level(title, text, expected):
    region = resolve_region(text, title=title)
    assert ((region.province, region.city, region.county) if region.code else None) == expected


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


def test_common_words_are_cached_beside_jiebas_dictionary(tmp_path, monkeypatch):
    from pathlib import Path

    from pipeline import filecache

    monkeypatch.setattr(filecache.tempfile, "gettempdir", lambda: str(tmp_path))
    source = Path(str(gazetteer.resources.files("jieba").joinpath("dict.txt")))
    parsed = gazetteer._parse_jieba_words(source, 50, 3)
    assert gazetteer._jieba_words(50, 3) == parsed  # parsed and cached
    assert gazetteer._jieba_words(50, 3) == parsed  # read back
    assert len(list(tmp_path.glob("diaoyan.placewords.*.marshal"))) == 1
    assert "政府" in parsed and "北京" not in parsed
