"""Which place a report is about: gazetteer names found in its text, weighed and resolved.

``resolve_region`` scans a text once (leftmost-longest dictionary scan), weighs every
mention (full names over short ones, the title and the opening over the rest, visits
and lessons learned elsewhere — 赴浙江学习 — much less), resolves ambiguous names by the
support of their parent chain and decides whether the report is about a county, a city
(e.g. several counties of one city) or a province.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass

from pipeline.analysis.gazetteer import (
    COMMON_FULL_TABLE,
    DEFAULT_REGION_OPTIONS,
    Gazetteer,
    RegionOptions,
    load_gazetteer,
)
from pipeline.records import Region

log = logging.getLogger(__name__)


# What may not follow a match: 东方市场 is a market, 和平区域 a region.
RE_FALSE_FOLLOW = {"市": re.compile(r"场"), "区": re.compile(r"[域间块别分]")}

# A short name followed by 乡/镇/村 names a township: 巴州区凌云乡 is not 凌云县.
RE_TOWN_FOLLOW = re.compile(r"[乡镇村]")

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
class Mention:
    """A name found in the text: span, candidate unit codes, whether a full name."""

    start: int
    end: int
    codes: tuple[str, ...]
    full: bool


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
                  options: RegionOptions = DEFAULT_REGION_OPTIONS) -> dict[str, float]:
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
                   options: RegionOptions = DEFAULT_REGION_OPTIONS) -> Region:
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
