"""Topic prevalence by place or year, with bootstrap intervals, and the sharpest contrasts.

An item's place at a level is the name the ingest stage found for it; an item without
one counts under "unknown" and is never guessed from its parents or its text. Places are
told apart by their parents too (朝阳区 of 北京市 and of 长春市 are two places), and
``parent`` carries that path ("吉林省/长春市").

Intervals are percentile bootstraps: the items of a group are resampled with
replacement ``options.bootstrap`` times and the mean topic shares recomputed. Each group
draws from its own generator, seeded by ``options.seed`` and the group's name, so adding
a place does not move another place's interval and reruns give the same numbers.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.analysis.topics import TopicInput, TopicOptions

LEVELS = ("province", "city", "county", "year")
UNKNOWN = "unknown"
MAX_DRAW_CELLS = 2_000_000  # resample weights held at once (draws × items), ≈16 MB


@dataclass(frozen=True)
class PrevalenceRow:
    """Mean share of one topic among the items of one place."""

    level: str  # province | city | county | year
    place: str  # the name at that level, a year, or "unknown"
    parent: str  # the names above it, "/"-joined ("" for provinces, years, unknown)
    topic: int
    n_items: int
    mean: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class Contrast:
    """How much more (or less) one place writes about a topic than the other places."""

    level: str
    place: str
    parent: str
    topic: int
    n_items: int  # items of the place
    n_rest: int  # items of every other known place at this level
    mean: float
    rest_mean: float
    difference: float  # mean − rest_mean
    ci_low: float  # bootstrap interval of the difference
    ci_high: float

    @property
    def clear(self) -> bool:
        """Whether the interval excludes zero."""
        return self.ci_low > 0 or self.ci_high < 0


def place_of(item: TopicInput, level: str) -> tuple[str, str]:
    """(place, parent) of an item at ``level``; ("unknown", "") when it has none there."""
    if level not in LEVELS:
        raise ValueError(f"topics: unknown level {level!r} (one of {', '.join(LEVELS)})")
    if level == "year":
        return (str(item.year), "") if item.year is not None else (UNKNOWN, "")
    names = (item.province, item.city, item.county)
    depth = LEVELS.index(level)
    if not names[depth]:
        return UNKNOWN, ""
    return names[depth], "/".join(name for name in names[:depth] if name)


def groups_of(inputs: Sequence[TopicInput], level: str) -> dict[tuple[str, str], list[int]]:
    """Row indices of the items of each (place, parent), in sorted order of places."""
    groups: dict[tuple[str, str], list[int]] = {}
    for row, item in enumerate(inputs):
        groups.setdefault(place_of(item, level), []).append(row)
    return dict(sorted(groups.items()))


def _rng(options: TopicOptions, *names: str) -> np.random.Generator:
    return np.random.default_rng([options.seed, zlib.crc32("|".join(names).encode("utf-8"))])


def bootstrap_means(shares: np.ndarray, draws: int, rng: np.random.Generator) -> np.ndarray:
    """(draws, topics) means of ``shares`` rows resampled with replacement."""
    n = shares.shape[0]
    block = max(1, MAX_DRAW_CELLS // max(n, 1))
    out = []
    for start in range(0, draws, block):
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=min(block, draws - start))
        out.append(weights @ shares / n)
    return np.vstack(out)


def _interval(samples: np.ndarray, options: TopicOptions) -> tuple[np.ndarray, np.ndarray]:
    tail = (1.0 - options.ci) / 2.0
    low, high = np.quantile(samples, [tail, 1.0 - tail], axis=0)
    return low, high


def prevalence(doc_topic: np.ndarray, inputs: Sequence[TopicInput], level: str,
               options: TopicOptions,
               reuse: Mapping[tuple[str, str, str], tuple[str, list[PrevalenceRow]]] | None = None,
               digests: dict[tuple[str, str, str], str] | None = None) -> list[PrevalenceRow]:
    """Mean topic share per place at ``level`` with bootstrap intervals, places sorted.

    ``reuse``: (level, parent, place) → (digest, rows) of an earlier call; a place whose
    items and shares have the same digest (``group_digest``) gets those rows back without
    resampling (its generator is seeded by its name, so they are what it would draw).
    ``digests``, when given, receives each place's digest.
    """
    rows = []
    for (place, parent), members in groups_of(inputs, level).items():
        digest = group_digest(doc_topic, inputs, members)
        if digests is not None:
            digests[(level, parent, place)] = digest
        earlier = (reuse or {}).get((level, parent, place))
        if earlier is not None and earlier[0] == digest:
            rows.extend(earlier[1])
            continue
        shares = doc_topic[members]
        mean = shares.mean(axis=0)
        samples = bootstrap_means(shares, options.bootstrap, _rng(options, level, parent, place))
        low, high = _interval(samples, options)
        rows.extend(
            PrevalenceRow(level, place, parent, topic, len(members), _r(mean[topic]),
                          _r(low[topic]), _r(high[topic]))
            for topic in range(doc_topic.shape[1])
        )
    return rows


def group_digest(doc_topic: np.ndarray, inputs: Sequence[TopicInput],
                 members: Sequence[int]) -> str:
    """A hash of a group's items and their topic shares (rounded as stored)."""
    digest = hashlib.sha1(str(doc_topic.shape[1]).encode())
    for row in members:
        digest.update(inputs[row].item_id.encode())
        digest.update(np.round(np.asarray(doc_topic[row], dtype=np.float64), 6).tobytes())
    return digest.hexdigest()[:16]


def contrasts(doc_topic: np.ndarray, inputs: Sequence[TopicInput], level: str,
              options: TopicOptions, top: int = 10) -> list[Contrast]:
    """The ``top`` (place, topic) pairs whose share differs most from the other places.

    Each place with at least ``contrast_min_items`` items is compared with all other
    items whose place at this level is known (unknown items are left out on both
    sides); pairs are ranked by the absolute difference of means, and the interval of
    the difference comes from resampling the place and the rest independently.
    """
    return [_contrast(doc_topic, *pair, options)
            for pair in contrast_pairs(doc_topic, inputs, level, options, top)]


def contrasts_of_levels(doc_topic: np.ndarray, inputs: Sequence[TopicInput],
                        levels: Sequence[str], options: TopicOptions, top: int = 10,
                        jobs: int = 1) -> list[Contrast]:
    """``contrasts`` of each level in turn, their bootstraps on ``jobs`` forked processes
    (each pair draws from its own generator, so where it runs changes no number)."""
    from pipeline.executors import map_forked

    pairs = [pair for level in levels
             for pair in contrast_pairs(doc_topic, inputs, level, options, top)]
    outcomes = map_forked(_contrast_of, list(range(len(pairs))), jobs,
                          (doc_topic, pairs, options))
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return outcomes


def _contrast_of(index: int) -> Contrast:
    from pipeline.executors import inherited

    doc_topic, pairs, options = inherited()
    return _contrast(doc_topic, *pairs[index], options)


def contrast_pairs(doc_topic: np.ndarray, inputs: Sequence[TopicInput], level: str,
                   options: TopicOptions, top: int = 10
                   ) -> list[tuple[str, str, str, int, list[int], list[int]]]:
    """(level, place, parent, topic, member rows, rest rows) of the ``top`` pairs that
    ``contrasts`` reports, before their intervals are drawn."""
    groups = {key: rows for key, rows in groups_of(inputs, level).items() if key[0] != UNKNOWN}
    known = sorted(row for rows in groups.values() for row in rows)
    candidates = []
    for (place, parent), members in groups.items():
        rest = sorted(set(known) - set(members))
        if min(len(members), len(rest)) < options.contrast_min_items:
            continue
        difference = doc_topic[members].mean(axis=0) - doc_topic[rest].mean(axis=0)
        candidates.extend((-abs(_r(difference[t])), place, parent, t, members, rest)
                          for t in range(doc_topic.shape[1]))
    candidates.sort(key=lambda c: c[:4])
    return [(level, *c[1:]) for c in candidates[:top]]


def _contrast(doc_topic: np.ndarray, level: str, place: str, parent: str, topic: int,
              members: list[int], rest: list[int], options: TopicOptions) -> Contrast:
    rng = _rng(options, "contrast", level, parent, place)
    inside = bootstrap_means(doc_topic[members][:, [topic]], options.bootstrap, rng)
    outside = bootstrap_means(doc_topic[rest][:, [topic]], options.bootstrap, rng)
    low, high = _interval(inside - outside, options)
    mean, rest_mean = doc_topic[members, topic].mean(), doc_topic[rest, topic].mean()
    return Contrast(
        level=level, place=place, parent=parent, topic=topic, n_items=len(members),
        n_rest=len(rest), mean=_r(mean), rest_mean=_r(rest_mean),
        difference=_r(mean - rest_mean), ci_low=_r(low[0]), ci_high=_r(high[0]),
    )


def _r(value: float) -> float:
    return round(float(value), 6) + 0.0
