"""Which place a report is about: gazetteer names found in its text, weighed and resolved.

``resolve_region`` scans a text once (leftmost-longest dictionary scan) and weighs every
mention: full names over short ones; the title, the opening and the issuing body
(海拉尔区人民政府, 安徽省第十四届人民代表大会) over the rest; visits and lessons learned
elsewhere (赴浙江学习) and the authors' affiliations (（济南大学，山东济南250022）) much
less; names inside a company's or a university's name (山东能源, 济南大学) not at all. A
short or ambiguous name counts only when the rest of the text supports its chain, unless
nothing else names a place. Which level the report speaks for (province, city or county)
is decided by :mod:`pipeline.analysis.place_level`.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, replace

from pipeline.analysis.gazetteer import (
    COMMON_FULL_TABLE,
    DEFAULT_REGION_OPTIONS,
    Gazetteer,
    RegionOptions,
    load_gazetteer,
)
from pipeline.analysis.place_level import (
    ORGAN_WORDS,
    SESSION,
    Evidence,
    choose_place,
    speaker_suffix,
)
from pipeline.records import Region

log = logging.getLogger(__name__)


# What may not follow a match: 东方市场 is a market, 和平区域 a region.
RE_FALSE_FOLLOW = {"市": re.compile(r"场"), "区": re.compile(r"[域间块别分]")}

# A short name followed by 乡/镇/村 names a township: 巴州区凌云乡 is not 凌云县.
RE_TOWN_FOLLOW = re.compile(r"[乡镇村]")

# A name followed by these is part of an organisation's name: 山东能源集团, 济南大学.
RE_ORG_FOLLOW = re.compile(
    r"(?:大学|学院|能源|集团|银行|股份|控股|实业|电力|钢铁|航空|证券|保险|日报|晚报|卫视|电视台|出版社)"
)

# Context before a mention marking a place learned from: 学习浙江, 借鉴安吉经验 (赴 alone is
# also a research visit inside one's own province: 调研组赴临泽县).
RE_COMPARISON_BEFORE = re.compile(r"(?:学习|借鉴|参观|(?<!总书记)考察|对标|取经|外出|先进地区)")
# Context before a mention is read back to the last clause break only.
RE_MENTION_BREAK = re.compile(r"[，。；：、！？\n]")
# Context after a mention: 杭州市余杭区挂职锻炼, 浙江经验.
RE_COMPARISON_AFTER = re.compile(r".{0,4}?(?:挂职|考察|学习|取经|参观|经验|先进)")
# A study visit: 赴浙江省安吉县学习考察, 到安吉参观. The place visited is someone else's
# throughout the text once the text also names a place of its own.
RE_VISIT_BEFORE = re.compile(r"(?<![得达受做想看遇感])(?:赴|到|前往)[^，。；、\s]{0,6}$")
RE_VISIT_AFTER = re.compile(r".{0,8}?(?:学习|考察|参观|取经|观摩|挂职)")

# An anonymised place: X县, XX市, ××区, **县 — the report hides its own place.
RE_ANONYMISED_PLACE = re.compile(r"(?<![A-Za-z])[XＸ×xｘ*＊]{1,3}(省|市|县|区|州|旗)")

# A body right after a name: 海拉尔区人民政府, 安徽省第十四届人民代表大会, 宁波市十六届人大常委会,
# 珠海市审计局, 中共东湖区委, 宁波海关. In the opening it is the issuer; anywhere, it shows
# that a short name (宁波) is a place and not an ordinary word.
RE_ORGAN_AFTER = re.compile(rf"\s*{SESSION}\s*{ORGAN_WORDS}")

# An authors' affiliation line: （1.红河学院…，云南蒙自661199）, 作者单位：…
RE_AFFILIATION_LINE = re.compile(
    r"^\s*(?:[（(].*[\u4e00-\u9fff]\s*\d{6}\s*[）)]|作者单位|单位\s*[：:]).*$", re.M
)


@dataclass(frozen=True)
class Mention:
    """A name found in the text: span, candidate unit codes, whether a full name."""

    start: int
    end: int
    codes: tuple[str, ...]
    full: bool
    name: str = ""


@dataclass(frozen=True)
class Weighed:
    """A mention with its weight and context: a comparison (赴…学习), a body (…人民政府)."""

    mention: Mention
    weight: float
    comparison: bool
    organ: bool  # a body follows: 海拉尔区人民政府, 宁波海关
    visit: bool = False  # a study visit: 赴浙江学习考察
    in_title: bool = False


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
    if name not in gaz.guarded and name not in gaz.by_full and name not in gaz.by_short:
        return None  # most slices are no name at all: skip the pattern below (speed only)
    end = start + len(name)
    if RE_ORG_FOLLOW.match(text, end):
        return None  # 山东能源, 济南大学: an organisation, wherever it sits
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
                mentions.append(Mention(i, i + length, codes, full, text[i : i + length]))
            step = length  # an ordinary word (城关, 朝阳产业) is consumed too
            break
        i += step
    return mentions


def _affiliation_spans(text: str, opts: RegionOptions) -> list[tuple[int, int]]:
    """Spans of authors' affiliation lines in the opening."""
    return [m.span() for m in RE_AFFILIATION_LINE.finditer(text, 0, opts.head_chars * 2)]


def _weigh(text: str, m: Mention, boost: float, affiliations: list[tuple[int, int]],
           opts: RegionOptions) -> Weighed:
    """Weight of one mention: full vs short, title and opening, issuer, comparison, affiliation."""
    weight = (opts.full_weight if m.full else opts.short_weight) * boost
    in_head = m.start < opts.head_chars
    if in_head:
        weight *= opts.head_boost
    if any(start <= m.start < end for start, end in affiliations):
        return Weighed(m, weight * opts.comparison_factor, False, False)
    before = RE_MENTION_BREAK.split(text[max(0, m.start - 8) : m.start])[-1]
    visit = bool(RE_COMPARISON_BEFORE.search(before) or (
        RE_VISIT_BEFORE.search(text, max(0, m.start - 8), m.start)
        and RE_VISIT_AFTER.match(text, m.end)))
    comparison = visit or bool(RE_COMPARISON_AFTER.match(text, m.end))
    if comparison:
        return Weighed(m, weight * opts.comparison_factor, True, False, visit)
    organ = bool(RE_ORGAN_AFTER.match(text, m.end))
    issuer = organ and in_head
    return Weighed(m, weight * opts.issuer_boost if issuer else weight, False, organ)


def weigh_mentions(text: str, title: str | None, gaz: Gazetteer,
                   opts: RegionOptions) -> list[Weighed]:
    """Every mention in the text and the title, weighed."""
    affiliations = _affiliation_spans(text, opts)
    weighed = [_weigh(text, m, 1.0, affiliations, opts) for m in scan_mentions(text, gaz)]
    if title:
        weighed += [replace(_weigh(title, m, opts.title_boost, [], opts), in_title=True)
                    for m in scan_mentions(title, gaz)]
    return weighed


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
    return [c for c in codes if scores[c] == best] if best > 0 else list(codes)


def _corroborated(gaz: Gazetteer, code: str, name: str, named: dict[str, set[str]]) -> bool:
    """Whether another name in the text sits on the place's chain or beside it.

    A short name (新建, 惠农) or an ambiguous full name is often an ordinary word; it
    counts when the text also names its city or province, a place inside it, or a sibling
    county of the same city.
    """
    chain = {p.code for p in gaz.chain(code)}
    parent = gaz.places[code].parent
    for other, names in named.items():
        if not names - {name}:
            continue
        if other in chain or code in {p.code for p in gaz.chain(other)}:
            return True
        if parent and gaz.places[other].parent == parent and gaz.places[parent].level != "province":
            return True
    return False


def _resolve_mentions(gaz: Gazetteer, weighed: list[Weighed]) -> list[tuple[Weighed, str, float]]:
    """(mention, code, share of its weight): an ambiguous name goes to the candidates the
    unambiguous names support best, its weight split between ties."""
    sure: dict[str, float] = defaultdict(float)
    for w in weighed:
        if len(w.mention.codes) == 1 and not w.comparison:
            sure[w.mention.codes[0]] += w.weight
    support = gaz.subtree_totals(sure)
    resolved = []
    for w in weighed:
        winners = _resolve_ambiguous(gaz, w.mention.codes, support)
        resolved += [(w, code, w.weight / len(winners)) for code in winners]
    return resolved


def _split_weak(gaz: Gazetteer, resolved: list) -> tuple[list, list]:
    """Mentions that stand, and weak ones (short or ambiguous names) nothing supports."""
    named: dict[str, set[str]] = defaultdict(set)
    for w, code, _ in resolved:
        named[code].add(w.mention.name)
    strong, weak = [], []
    for item in resolved:
        w, code, _ = item
        is_weak = (not w.mention.full or len(w.mention.codes) > 1) and not w.organ
        if is_weak and not _corroborated(gaz, code, w.mention.name, named):
            weak.append(item)
        else:
            strong.append(item)
    return strong, weak


def place_evidence(text: str, *, title: str | None = None,
                   options: RegionOptions = DEFAULT_REGION_OPTIONS) -> Evidence:
    """Per-place weights and the title's places, for :func:`choose_place`.

    Weak mentions without support are dropped when anything else names a place; every
    mention inside a place visited for study is a comparison once the text names a place
    of its own.
    """
    gaz = load_gazetteer(options.common_word_min_freq, options.long_word_min_freq)
    strong, weak = _split_weak(gaz, _resolve_mentions(gaz, weigh_mentions(text, title, gaz,
                                                                          options)))
    kept = strong or weak
    visited = _visited_elsewhere(gaz, kept)
    weights: dict[str, float] = defaultdict(float)
    clean: dict[str, float] = defaultdict(float)
    titled: set[str] = set()
    for w, code, share in kept:
        elsewhere = not w.comparison and bool(visited & {p.code for p in gaz.chain(code)})
        weights[code] += share * options.comparison_factor if elsewhere else share
        if not (w.comparison or elsewhere):
            clean[code] += share
            if w.in_title:
                titled.add(code)
    return Evidence(dict(weights), dict(clean), not strong, frozenset(titled))


def _visited_elsewhere(gaz: Gazetteer, resolved: list) -> set[str]:
    """Places visited for study (赴浙江学习) while the text also names a place off their chain.

    Every mention inside such a place is then a comparison: 安吉县的做法值得借鉴.
    """
    visited = {code for w, code, _ in resolved if w.visit}
    home = {code for w, code, _ in resolved if not w.comparison}
    out = set()
    for code in visited:
        subtree = {c for c in home if code in {p.code for p in gaz.chain(c)}}
        above = {p.code for p in gaz.chain(code)}
        if home - subtree - above:
            out.add(code)
    return out


def place_weights(text: str, *, title: str | None = None,
                  options: RegionOptions = DEFAULT_REGION_OPTIONS) -> dict[str, float]:
    """Weighted mention support of each place code, ambiguous names resolved by context."""
    return place_evidence(text, title=title, options=options).weights


def resolve_region(text: str, *, title: str | None = None,
                   options: RegionOptions = DEFAULT_REGION_OPTIONS) -> Region:
    """The place a report is about (county, city or province), or an empty Region."""
    gaz = load_gazetteer(options.common_word_min_freq, options.long_word_min_freq)
    evidence = place_evidence(text, title=title, options=options)
    if sum(evidence.clean.values()) <= 0:
        return Region()
    suffix, signals = speaker_suffix(text, title, options)
    code = choose_place(gaz, evidence, suffix, signals, options)
    log.debug("region %s (speaker suffix %s, %d signals)", code, suffix, signals)
    if code is None or gaz.places[code].name[-1] in anonymised_levels(text, title):
        return Region()  # X县 hides the report's own county; 邻县 named beside it are not it
    return gaz.region(code)


def anonymised_levels(text: str, title: str | None) -> set[str]:
    """Level characters of anonymised places (X县 → 县) in the title or repeated in the text."""
    in_text = [m.group(1) for m in RE_ANONYMISED_PLACE.finditer(text)]
    in_title = {m.group(1) for m in RE_ANONYMISED_PLACE.finditer(title or "")}
    return in_title | {level for level in in_text if in_text.count(level) >= 2}
