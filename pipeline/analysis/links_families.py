"""Concept families for links: the policy domains a plan's chapters are written by.

A government work report answers its difficulties paragraph chapter by chapter, each
chapter a policy domain: 产业基础薄弱 is answered by the chapter on 新旧动能转换, 投资动力
不强 by the one on keeping growth 稳中向好, 化债任务重 by 城市安全韧性. The problem and the
chapter's headline then name different concepts (``pipeline/resources/concepts.toml``) of
one domain. A family groups such concepts; a concept may sit in several (企业 are industry
and what reform frees). Concepts of the cadre surveys (待遇, 晋升, 容错 …) are in none:
their reports pair problems and measures concept by concept; there the concern a problem's
headline names picks among a measure's sub-items (``of_its_concern``).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Sequence
from importlib import resources

from pipeline.analysis.links_terms import normalise
from pipeline.analysis.links_units import GraphUnit
from pipeline.analysis.textvec import CONCEPTS_RESOURCE, WordTable, concept_table

# family → the concepts (names in concepts.toml) of one policy domain
FAMILIES: dict[str, tuple[str, ...]] = {
    "demand_and_growth": ("demand", "consumption", "investment", "growth"),
    "industry": ("industry", "new_drivers", "traditional_industry", "emerging_industry",
                 "innovation", "enterprises", "digital"),
    "reform_and_opening": ("reform", "business_environment", "opening", "enterprises"),
    "regions": ("regional", "rural", "urban"),
    "livelihood": ("income", "employment", "public_services", "population", "health_care",
                   "education", "elderly_care", "housing"),
    "ecology": ("environment", "water"),
    "risk_and_safety": ("risk", "debt", "fiscal", "real_estate", "finance", "safety"),
    "government": ("government_style", "government_integrity", "government_administration",
                   "government_capability", "responsibility"),
}
_FAMILIES_OF: dict[str, frozenset[str]] = {}
for _family, _concepts in FAMILIES.items():
    for _concept in _concepts:
        _FAMILIES_OF[_concept] = _FAMILIES_OF.get(_concept, frozenset()) | {_family}


def families_of(concepts: Iterable[str]) -> frozenset[str]:
    """The families of a set of concepts (a concept in no family adds none)."""
    found: frozenset[str] = frozenset()
    for concept in concepts:
        found |= _FAMILIES_OF.get(concept, frozenset())
    return found


@functools.lru_cache(maxsize=1)
def answer_table() -> dict[str, tuple[str, ...]]:
    """concept → its words for links: ``[concepts]`` and ``[answers]`` of concepts.toml."""
    raw = resources.files("pipeline.resources").joinpath(CONCEPTS_RESOURCE).read_text("utf-8")
    extra = tomllib.loads(raw).get("answers", {})
    return {name: (*words, *extra.get(name, ())) for name, words in concept_table().items()}


@functools.lru_cache(maxsize=1)
def answer_words() -> WordTable:
    """``answer_table`` ready to search texts with."""
    return WordTable(answer_table())


@functools.lru_cache(maxsize=1 << 16)
def answer_concepts_in(text: str) -> frozenset[str]:
    """The concepts whose words (``answer_table``) a normalised text holds."""
    return answer_words().names_in(text)


def headline_concepts(unit: GraphUnit) -> frozenset[str]:
    """The concepts a unit's headline names (a clause's headline is the clause)."""
    return answer_concepts_in(normalise(unit.headline))


def of_its_concern(source: GraphUnit, candidates: Sequence[GraphUnit]) -> list[GraphUnit]:
    """The sub-items of a kept measure that may answer a problem, by the concern its
    headline names: when some sub-item's headline names a concept of the problem's
    headline, a sibling whose headline names only other concepts answers another concern
    (激励手段单一 → 加强精神激励, not 落实容错纠错机制, though the problem's body speaks
    of 容错 too); sub-items naming no concept stay."""
    concern = headline_concepts(source)
    named = {t.unit_id: headline_concepts(t) for t in candidates}
    if not any(named[t.unit_id] & concern for t in candidates):
        return list(candidates)
    return [t for t in candidates if not named[t.unit_id] or named[t.unit_id] & concern]
