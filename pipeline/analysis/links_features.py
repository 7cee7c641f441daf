"""The evidence for one (problem, countermeasure) pair of a report, and its weighted score.

:class:`PairContext` holds the per-report tables the features read (vectors, key terms,
concepts, contrast weights, the layout's pairs); :meth:`PairContext.features` gives the
kinds of evidence described in ``pipeline.analysis.links``, :meth:`PairContext.score` their
sum with the weights of ``LinkOptions``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.analysis.links_families import answer_concepts_in as concepts_in
from pipeline.analysis.links_families import answer_table as concept_table
from pipeline.analysis.links_families import answer_words, families_of
from pipeline.analysis.links_terms import (
    contrast_weights,
    coverage,
    lead,
    normalise,
    reference_clauses,
    specific_coverage,
)
from pipeline.analysis.links_units import (
    GraphUnit,
    generic_reference_pairs,
    key_terms,
    structural_pairs,
)
from pipeline.analysis.textvec import (
    GENERIC_TERMS_TABLE,
    content_words,
    cosine,
    tfidf_vector,
)

if TYPE_CHECKING:
    from pipeline.analysis.links import LinkOptions


@dataclass(frozen=True)
class PairFeatures:
    """The kinds of evidence for one (problem or clause, countermeasure) pair."""

    structure: str | None  # "ordinal 2/4" | "same heading" | None
    terms: float
    headline: float
    concepts: float
    concept_share: float
    family: float
    body: float
    text: float
    reference: float


def concept_mentions(text: str) -> dict[str, int]:
    """concept → how often its words occur in a (normalised) text."""
    return answer_words().counts_in(text)


class PairContext:
    """Per-report tables the pair features read."""

    def __init__(self, units: Sequence[GraphUnit], sources: Sequence[GraphUnit],
                 targets: Sequence[GraphUnit], options: LinkOptions,
                 idf: Mapping[str, float], parts: Sequence[GraphUnit] = ()):
        self.options = options
        # parts: clauses of problem sentences, compared like problems but not counted in
        # how telling a term is among the report's problems
        units = [*units, *parts]
        default = max(idf.values(), default=1.0)
        words = {u.unit_id: [w for w in content_words(u.words, options.min_word_chars)
                             if w not in GENERIC_TERMS_TABLE] for u in units}
        self.vectors = {u.unit_id: tfidf_vector(words[u.unit_id], idf, default) for u in units}
        self.key_terms = {u.unit_id: key_terms(u, options.min_word_chars) for u in units}
        self.texts = {u.unit_id: normalise(u.text) for u in units}
        self.headlines = {u.unit_id: normalise(u.headline) for u in units}
        self.leads = {u.unit_id: lead(u.text) for u in units}
        # concepts of each opening; of a problem's whole text; of a countermeasure's headline
        self.topic = {u.unit_id: concepts_in(self.headlines[u.unit_id] + self.leads[u.unit_id])
                      for u in units}
        self.topic_in_text = {s.unit_id: concepts_in(self.texts[s.unit_id]) | self.topic[s.unit_id]
                              for s in [*sources, *parts]}
        self.topic_of_headline = {t.unit_id: concepts_in(self.headlines[t.unit_id])
                                  for t in targets}
        # how often each measure's text names each concept, and the most any measure does
        self.mentions = {t.unit_id: concept_mentions(self.texts[t.unit_id]) for t in targets}
        self.most_mentions = {name: max((m[name] for m in self.mentions.values()), default=0)
                              for name in concept_table()}
        self.clauses = {u.unit_id: reference_clauses(u.text) for u in targets}
        real = units[:len(units) - len(parts)]
        self.structure = structural_pairs(real)
        self.follows_generic = generic_reference_pairs(real, sources, targets)
        # A term found in every countermeasure says nothing about which one answers.
        self.weight_in_targets = contrast_weights([self.texts[t.unit_id] for t in targets])
        self.n_targets = len(targets)
        self.weight_in_sources = contrast_weights([self.texts[s.unit_id] for s in sources])
        self.weight_in_headlines = contrast_weights([self.headlines[t.unit_id] for t in targets])
        self.concept_in_headlines = contrast_weights(
            [self.topic_of_headline[t.unit_id] for t in targets])
        self.concept_in_sources = contrast_weights([self.topic[s.unit_id] for s in sources])
        # the same at the level of concept families (policy domains)
        self.family = {u: families_of(c) for u, c in self.topic.items()}
        self.family_in_text = {u: families_of(c) for u, c in self.topic_in_text.items()}
        self.family_of_headline = {u: families_of(c) for u, c in self.topic_of_headline.items()}
        self.family_in_headlines = contrast_weights(
            [self.family_of_headline[t.unit_id] for t in targets])
        self.family_in_sources = contrast_weights([self.family[s.unit_id] for s in sources])

    def features(self, source: GraphUnit, target: GraphUnit) -> PairFeatures:
        """The kinds of evidence for one pair."""
        s, t = source.unit_id, target.unit_id
        forward = coverage(self.key_terms[s], self.texts[t], self.weight_in_targets)
        backward = coverage(self.key_terms[t], self.texts[s], self.weight_in_sources)
        # Geometric mean: both units must speak of the other's topic. An arithmetic mean let
        # incidental words (有限编制 in a talent measure) link a 编制 problem to it.
        terms = math.sqrt(forward * backward)
        headline = coverage(self.key_terms[s], self.headlines[t], self.weight_in_headlines)
        concepts = (coverage(sorted(self.topic[s]), self.topic_of_headline[t],
                             self.concept_in_headlines)
                    + coverage(sorted(self.topic[t]), self.topic_in_text[s],
                               self.concept_in_sources)) / 2
        family = (coverage(sorted(self.family[s]), self.family_of_headline[t],
                           self.family_in_headlines)
                  + coverage(sorted(self.family[t]), self.family_in_text[s],
                             self.family_in_sources)) / 2
        text = cosine(self.vectors[s], self.vectors[t])
        body = specific_coverage(self.key_terms[s], self.texts[t], self.weight_in_targets,
                                 self.n_targets)
        return PairFeatures(self.structure.get((s, t)), terms, headline, concepts,
                            self.concept_share(s, t), family, body, text,
                            self.reference(source, target))

    def concept_share(self, source_id: str, target_id: str) -> float:
        """How much the measure speaks of the problem's concepts, against the measure that
        speaks of each most (1: no measure names it more often), averaged with the weights of
        ``concepts``: a plan section answers by theme (企业生产经营困难 → the section on
        industry whose body names 企业 and 经营主体 again and again)."""
        weighted = [(self.concept_in_headlines(name),
                     self.mentions[target_id][name] / self.most_mentions[name])
                    for name in sorted(self.topic[source_id]) if self.most_mentions[name]]
        total = sum(weight for weight, _ in weighted)
        return sum(weight * share for weight, share in weighted) / total if total else 0.0

    def reference(self, source: GraphUnit, target: GraphUnit) -> float:
        """How well the countermeasure's 针对……问题 clauses describe this problem."""
        if (source.unit_id, target.unit_id) in self.follows_generic:
            return 1.0
        best = 0.0
        problem_terms, opening = self.key_terms[source.unit_id], self.leads[source.unit_id]
        for clause in self.clauses[target.unit_id]:
            clause_terms = sorted(w for w in self.vectors[target.unit_id] if w in clause)
            # Weighted among problems: the clause must single this problem out.
            best = max(best, coverage(problem_terms, clause, self.weight_in_sources),
                       coverage(clause_terms, opening, self.weight_in_sources))
        return best

    def score(self, f: PairFeatures, by_family: bool = False) -> float:
        """Weighted sum of the evidence; none without evidence on what the measure is about
        (its headline or opening): a long section's body mentions every problem's words.
        ``by_family``: a shared concept family is such evidence too."""
        o = self.options
        about = max(f.terms, f.headline, f.concepts,
                    o.family_evidence * f.family if by_family else 0.0)
        if not (f.structure or f.reference or about >= o.min_headline_evidence):
            return 0.0
        return (o.weight_structure * (f.structure is not None) + o.weight_terms * f.terms
                + o.weight_headline * f.headline + o.weight_concepts * f.concepts
                + o.weight_concept_share * f.concept_share
                + o.weight_body * f.body + o.weight_text * f.text
                + o.weight_reference * f.reference)
