"""The government's own conduct: which problems its own chapter answers, and only those.

Every government work report ends its plan with a chapter on the government itself
(加强政府自身建设, 建设人民满意的服务型政府), and its difficulties paragraph names the
government's own failings last (一些干部担当作为不够, 形式主义、官僚主义仍然存在). Such a
failing is answered by that chapter whatever the words: 创新意识不足 said of the report's
cadres is no matter for the chapter on science, nor is 科技创新能力不强 said of the economy one
for the government's own chapter. A problem part is of the government's conduct when its
clause names the government's people (干部, 政府工作人员) or when all its concepts are of
the ``government`` family (作风, 担当, 廉洁 …); it is then answered by the chapter alone, and
a part none of whose concepts is of that family never is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pipeline.analysis.links_families import FAMILIES
from pipeline.analysis.links_families import answer_concepts_in as concepts_in
from pipeline.analysis.links_terms import normalise
from pipeline.analysis.links_units import RE_CLAUSE_BREAK, GraphUnit, with_descendants

# A plan unit on the government's own conduct names itself so.
RE_OWN_CHAPTER = re.compile(
    r"自身建设|政府建设|满意的?[\w、]{0,8}政府|服务型政府|法治政府|廉洁政府")
# The government's people as a clause's subject: the failing is theirs.
RE_GOVERNMENT_PEOPLE = re.compile(r"干部|政府工作人员|公职人员|公务员|政府系统")
GOVERNMENT_CONCEPTS = frozenset(FAMILIES["government"])

ONLY, MAY, NEVER = "only", "may", "never"


def own_chapters(targets: Sequence[GraphUnit]) -> list[GraphUnit]:
    """The report's units on the government's own conduct that no other such unit holds
    (the chapter, or its paragraphs where the layout nests them under the last measure)."""
    hits = [t for t in targets if _on_own_conduct(normalise(t.headline))]
    ids = {t.unit_id for t in hits}
    by_id = {t.unit_id: t for t in targets}
    return [t for t in hits if not _held_by(t, ids, by_id)]


def _on_own_conduct(headline: str) -> bool:
    """Whether a plan headline is on the government itself: it names its own chapter, or
    the government with its conduct (考验着各级政府的责任担当, 推动政府运行更加规范)."""
    return bool(RE_OWN_CHAPTER.search(headline)) or \
        "政府" in headline and bool(concepts_in(headline) & GOVERNMENT_CONCEPTS)


def own_chapter_ids(units: Sequence[GraphUnit], chapters: Sequence[GraphUnit]) -> set[str]:
    """The ids of the chapters and of every unit under them."""
    return with_descendants(units, {c.unit_id for c in chapters})


def conduct_kind(source: GraphUnit, part: GraphUnit) -> str:
    """ONLY: the part is a failing of the government itself; MAY: some of its concepts are
    of the government's conduct; NEVER: none is."""
    if RE_GOVERNMENT_PEOPLE.search(_clause_of(source, part)):
        return ONLY
    concepts = concepts_in(normalise(part.headline))
    if concepts and not concepts & GOVERNMENT_CONCEPTS:
        return NEVER
    # a part of a sentence on the government's people that may be of conduct is theirs
    # (政府工作人员市场化思维不牢，创新意识和担当精神需要增强); one naming no concept
    # (政策落地偏慢) may otherwise be anyone's
    if concepts and concepts <= GOVERNMENT_CONCEPTS or \
            RE_GOVERNMENT_PEOPLE.search(normalise(source.headline)):
        return ONLY
    return MAY


def keep_own_chapter(units: Sequence[GraphUnit], chapters: Sequence[GraphUnit],
                     conduct: Mapping[str, str], targets: Sequence[GraphUnit],
                     tables: Sequence[dict[tuple[str, str], float]]) -> None:
    """Score -1 in ``tables`` for each NEVER part and each unit of the own chapters: the
    chapter answers no problem of the economy (科技创新能力不强)."""
    own = own_chapter_ids(units, chapters) & {t.unit_id for t in targets}
    for part_id, kind in conduct.items():
        if kind == NEVER:
            for table in tables:
                for target_id in own:
                    table[(part_id, target_id)] = -1.0


def _clause_of(source: GraphUnit, part: GraphUnit) -> str:
    """The clause of the source's headline that holds the part (an item of an enumeration
    shares its clause's subject: 政府系统一些干部创新意识不足、紧迫感不强)."""
    text = normalise(part.headline)
    if part is source:
        return text
    return next((c for c in RE_CLAUSE_BREAK.split(normalise(source.headline)) if text in c),
                text)


def _held_by(unit: GraphUnit, ids: set[str], by_id: dict[str, GraphUnit]) -> bool:
    parent = unit.parent_id
    while parent in by_id:
        if parent in ids:
            return True
        parent = by_id[parent].parent_id
    return False
