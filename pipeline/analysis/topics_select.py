"""How many topics, and which new topic is which old one.

``select_k`` screens every candidate K with a quick fit (``screen_passes`` passes),
refits the ``finalists`` best-screened K over ``stability_seeds`` seeds with full
passes, and applies one rule:

    among finalists whose stability is at least ``min_stability``, take the best
    quality; a smaller K within ``coherence_tolerance`` of it wins (the simpler model
    when the data cannot tell them apart). No finalist stable enough → the most stable.

Quality is mean NPMI coherence scaled by topic diversity (the share of distinct words
among all topics' top 10, Dieng et al. 2020): NPMI alone rewards splitting one theme
into near-copies, each as coherent as the whole, and diversity is what such splits
lose. NPMI counts co-occurrence in windows of ``coherence_window`` content words of the
modelled corpus (one sparse matrix built by ``prepare``; a topic's score needs a 10×10
product); gensim's c_v took ≈59 s per 1,000 reports. UMass is reported, not used.
Stability is the mean, over pairs of seed runs, of the top-10 Jaccard of topics matched
one-to-one (Hungarian method): a K whose topics reshuffle with the seed is no finding.

``match_topics`` maps a refit's topics onto the previous fit so dashboards keep their
topic ids; ``needs_refit`` says when the corpus changed enough to refit at all.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from pipeline.analysis.topics import (
    TOP_TERMS,
    FittedModel,
    Prepared,
    TopicOptions,
    fit,
    warn_missing_seeds,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Score:
    """Scores of one K: of its screening fit, or averaged over a finalist's seed runs."""

    k: int
    npmi: float  # mean NPMI of the topics' top 10 terms
    umass: float  # mean UMass, reported only
    diversity: float  # distinct words among all top-10 lists / (10·K)
    quality: float  # npmi scaled by diversity: what the rule compares
    stability: float | None = None  # finalists: mean matched Jaccard; None with one seed


@dataclass(frozen=True)
class KSelection:
    """The chosen number of topics and the evidence for it."""

    k: int
    rule: str  # one sentence: why this K
    screened: tuple[Score, ...]  # every candidate's screening fit
    finalists: tuple[Score, ...]
    seeds: tuple[int, ...]  # every random_state used (screening uses the first)
    # The chosen K's fit with options.seed: exactly what fit() would return again.
    model: FittedModel | None = field(default=None, compare=False, repr=False)

    @property
    def curve(self) -> dict[int, float]:
        """K → screening NPMI."""
        return {score.k: score.npmi for score in self.screened}


def top_terms(topic_term: np.ndarray, n: int = TOP_TERMS) -> np.ndarray:
    """Ids of each topic's ``n`` most probable terms (ties: lower id first)."""
    order = np.argsort(-topic_term, axis=1, kind="stable")
    return order[:, :n]


def coherence_scores(topic_term: np.ndarray, windows: sparse.csc_matrix,
                     n: int = TOP_TERMS) -> tuple[np.ndarray, np.ndarray]:
    """Per-topic NPMI and UMass of the top ``n`` terms, from window co-occurrence."""
    tops = top_terms(topic_term, n)
    union = np.unique(tops)
    occurrence = windows[:, union]
    co = (occurrence.T @ occurrence).toarray()
    column = np.searchsorted(union, tops)
    n_windows = max(windows.shape[0], 1)
    upper_i, upper_j = np.triu_indices(tops.shape[1], 1)  # i ranks above j
    npmi = np.empty(len(tops))
    umass = np.empty(len(tops))
    for topic, cols in enumerate(column):
        counts = co[np.ix_(cols, cols)]
        joint_n = counts[upper_i, upper_j]
        df_i, df_j = counts[upper_i, upper_i], counts[upper_j, upper_j]
        npmi[topic] = _npmi(joint_n / n_windows, df_i / n_windows, df_j / n_windows).mean()
        umass[topic] = np.log((joint_n + 1.0) / np.maximum(df_i, 1.0)).mean()
    return npmi, umass


def _npmi(joint: np.ndarray, p_i: np.ndarray, p_j: np.ndarray) -> np.ndarray:
    # Pairs never seen together score -1 by definition; pairs in every window score 0.
    seen = joint > 0
    safe = np.where(seen, joint, 1.0)
    pmi = np.log(safe / np.maximum(p_i * p_j, 1e-300))
    return np.where(seen, pmi / np.maximum(-np.log(safe), 1e-12), -1.0)


def diversity(topic_term: np.ndarray, n: int = TOP_TERMS) -> float:
    """Share of distinct words among all topics' top ``n`` terms (1 = no overlap)."""
    tops = top_terms(topic_term, n)
    return float(len(np.unique(tops)) / tops.size)


def quality(npmi: float, spread: float) -> float:
    """NPMI scaled by diversity, so less diversity always scores lower (NPMI can be < 0)."""
    return npmi * spread if npmi >= 0 else npmi * (2.0 - spread)


def score_runs(k: int, runs: Sequence[FittedModel], windows: sparse.csc_matrix) -> Score:
    """Scores of one K averaged over its runs, with their stability."""
    scores = [coherence_scores(run.topic_term, windows) for run in runs]
    npmi = float(np.mean([topic_npmi.mean() for topic_npmi, _ in scores]))
    spread = float(np.mean([diversity(run.topic_term) for run in runs]))
    stable = stability(runs)
    return Score(
        k=k, npmi=round(npmi, 6),
        umass=round(float(np.mean([topic_umass.mean() for _, topic_umass in scores])), 6),
        diversity=round(spread, 6), quality=round(quality(npmi, spread), 6),
        stability=None if stable is None else round(stable, 6),
    )


def run_similarity(a: np.ndarray, b: np.ndarray, n: int = TOP_TERMS) -> float:
    """Mean top-``n`` Jaccard of two fits' topics, matched one-to-one (Hungarian)."""
    sets_a = [set(row) for row in top_terms(a, n).tolist()]
    sets_b = [set(row) for row in top_terms(b, n).tolist()]
    sim = np.array([[len(x & y) / len(x | y) for y in sets_b] for x in sets_a])
    rows, cols = best_matching(-sim)
    return float(sim[rows, cols].mean())


def stability(runs: Sequence[FittedModel]) -> float | None:
    """Mean matched Jaccard over all pairs of runs; None for a single run."""
    pairs = list(itertools.combinations(runs, 2))
    if not pairs:
        return None
    return float(np.mean([run_similarity(a.topic_term, b.topic_term) for a, b in pairs]))


def candidate_ks(prepared: Prepared, options: TopicOptions) -> tuple[int, ...]:
    """Candidate K: the configured range clamped to items and terms, never below the seeds."""
    upper = min(options.k_max, len(prepared.items), len(prepared.vocab) // 2)
    lower = max(options.k_min, 2, len(options.seed_topics))
    if lower > upper:
        return (max(upper, len(options.seed_topics), 1),)
    return tuple(range(lower, upper + 1, options.k_step))


def fit_all(prepared: Prepared, options: TopicOptions,
            specs: Sequence[tuple[int, int, int | None]], jobs: int = 1) -> list[FittedModel]:
    """``fit`` for each (k, seed, passes), in order, on ``jobs`` forked processes.

    Each fit is seeded and single-threaded, so the models are the same whichever process
    fits them; the corpus reaches the workers by fork, not by pickling.
    """
    if jobs <= 1 or len(specs) <= 1:
        return [fit(prepared, k, options, seed, passes=passes) for k, seed, passes in specs]
    from pipeline.executors import map_forked

    warn_missing_seeds(prepared, specs[0][0], options)
    models = map_forked(_fit_inherited, list(specs), jobs, (prepared, options))
    for model in models:
        if isinstance(model, BaseException):
            raise model
    return models


def _fit_inherited(spec: tuple[int, int, int | None]) -> FittedModel:
    from pipeline.executors import inherited

    prepared, options = inherited()
    k, seed, passes = spec
    return fit(prepared, k, options, seed, passes=passes)


def _screen(prepared: Prepared, ks: Sequence[int], options: TopicOptions,
            progress: Callable[[str], None], jobs: int) -> tuple[Score, ...]:
    models = fit_all(prepared, options, [(k, options.seed, options.screen_passes) for k in ks],
                     jobs)
    screened = []
    for k, model in zip(ks, models, strict=True):
        screened.append(score_runs(k, [model], prepared.windows))
        progress(f"topics: screened k={k}: quality {screened[-1].quality:.3f}")
    return tuple(screened)


def choose_k(finalists: Sequence[Score], options: TopicOptions) -> tuple[int, str]:
    """Apply the module's rule to refitted finalists; returns K and the reason."""
    stable = [f for f in finalists if f.stability is None or f.stability >= options.min_stability]
    pool, why = stable, f"stability ≥ {options.min_stability}"
    if not stable:
        pool = [max(finalists, key=lambda f: (f.stability or 0.0, -f.k))]
        why = f"no finalist reached stability {options.min_stability}, so the most stable"
    best = max(f.quality for f in pool)
    k = min(f.k for f in pool if f.quality >= best - options.coherence_tolerance)
    return k, (f"smallest K within {options.coherence_tolerance} of the best quality "
               f"({best:.3f}) among finalists with {why}")


def select_k(prepared: Prepared, options: TopicOptions,
             progress: Callable[[str], None] | None = None, jobs: int = 1) -> KSelection:
    """Choose the number of topics by screened quality and multi-seed stability (the
    candidate fits on ``jobs`` processes)."""
    if options.k > 0:
        return KSelection(k=options.k, rule="fixed by options.k", screened=(), finalists=(),
                          seeds=(options.seed,))
    seeds = tuple(options.seed + i for i in range(max(options.stability_seeds, 1)))
    report = progress or logger.info
    started = time.perf_counter()
    ks = candidate_ks(prepared, options)
    screened = _screen(prepared, ks, options, report, jobs)
    ranked = sorted(screened, key=lambda score: (-score.quality, score.k))
    best = sorted(score.k for score in ranked[: max(options.finalists, 1)])
    fitted = iter(fit_all(prepared, options, [(k, seed, None) for k in best for seed in seeds],
                          jobs))
    finalists, first_runs = [], {}
    for k in best:
        runs = [next(fitted) for _seed in seeds]
        finalists.append(score_runs(k, runs, prepared.windows))
        first_runs[k] = runs[0]
        report(f"topics: finalist k={k}: quality {finalists[-1].quality:.3f}, "
               f"stability {finalists[-1].stability}")
    k, rule = choose_k(finalists, options)
    logger.info("topics: chose k=%d of %s in %.1fs (%s)", k, list(ks),
                time.perf_counter() - started, rule)
    return KSelection(k=k, rule=rule, screened=screened, finalists=tuple(finalists),
                      seeds=seeds, model=first_runs[k])


def select_and_fit(prepared: Prepared, options: TopicOptions,
                   progress: Callable[[str], None] | None = None, jobs: int = 1
                   ) -> tuple[KSelection, FittedModel]:
    """``select_k`` then the final fit with ``options.seed``, reusing the finalist's run."""
    selection = select_k(prepared, options, progress, jobs)
    model = selection.model or fit(prepared, selection.k, options, options.seed)
    return selection, model


def match_topics(old_topic_term: np.ndarray, new_topic_term: np.ndarray,
                 old_vocab: Sequence[str], new_vocab: Sequence[str],
                 threshold: float = 0.3) -> list[tuple[int, int | None, float]]:
    """Map each new topic to an old one: (new_id, old_id or None, cosine similarity).

    Vocabularies are aligned by word; topics are paired one-to-one by the Hungarian
    method on cosine similarity of their term distributions, and a pair below
    ``threshold`` (or a new topic left over when K grew) gets None, with its best
    similarity to any old topic for the record.
    """
    words = sorted(set(old_vocab) | set(new_vocab))
    old = _unit_rows(_aligned(old_topic_term, old_vocab, words))
    new = _unit_rows(_aligned(new_topic_term, new_vocab, words))
    sim = new @ old.T
    rows, cols = best_matching(-sim)
    paired = dict(zip(rows.tolist(), cols.tolist(), strict=True))
    out: list[tuple[int, int | None, float]] = []
    for new_id in range(sim.shape[0]):
        old_id = paired.get(new_id)
        score = sim[new_id, old_id] if old_id is not None else sim[new_id].max(initial=0.0)
        matched = old_id if old_id is not None and score >= threshold else None
        out.append((new_id, matched, round(float(score), 6)))
    return out


def _aligned(topic_term: np.ndarray, vocab: Sequence[str], words: Sequence[str]) -> np.ndarray:
    column = {word: i for i, word in enumerate(words)}
    out = np.zeros((topic_term.shape[0], len(words)))
    out[:, [column[w] for w in vocab]] = topic_term
    return out


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


def drift(at_fit: Mapping[str, str], now: Mapping[str, str]) -> tuple[int, int]:
    """(documents added, removed or changed since the last full fit, documents at it).

    Both maps are doc_id → a key of what the model reads of the document; a changed one
    counts once.
    """
    changed = {doc for doc, key in now.items() if at_fit.get(doc) != key}
    return len(changed | (set(at_fit) - set(now))), len(at_fit)


def needs_refit(at_fit: Mapping[str, str], now: Mapping[str, str],
                options: TopicOptions) -> bool:
    """Refit when never fitted, or more than ``refit_share`` of the documents the last fit
    saw were added, removed or changed since.

    A shrinking corpus counts too (reports withdrawn); between refits the stage folds
    new items into the old model, so topic ids stay put.
    """
    changed, fitted = drift(at_fit, now)
    if fitted <= 0:
        return len(now) > 0
    return changed > options.refit_share * fitted


def best_matching(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.optimize.linear_sum_assignment`` of ``cost``, imported on first use: a run
    that only folds new reports in imports this module to write its exports, and
    scipy.optimize costs 0.2 s to import."""
    from scipy.optimize import linear_sum_assignment

    return linear_sum_assignment(cost)
