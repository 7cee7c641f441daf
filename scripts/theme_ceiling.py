"""How far the theme space's signals can go: themes from a similarity fitted to the theme
gold itself, against the themes of the space's own cosine.

    python scripts/theme_ceiling.py outputs/eval-real \
        tests/gold/themes-provinces.json,tests/gold/seeds-more.json \
        $(ls tests/gold/split-*.json | paste -sd,)

OUT is a run of ``../shared/corpus`` (``make eval-real`` writes one); then comma-separated
theme gold files and held-out splits. For each side the script builds the theme space as
the graph stage does (``themes_vectors.fit_vectors``) and takes its three blocks apart:
words of the opening, headline character n-grams, policy concepts. A logistic regression
of "same gold group" on the three block cosines is fitted on development pairs only (an
upper bound, as it is fitted to the gold), and every candidate unit is clustered by plain
average linkage (units of one report apart, no other rule) on

- the fitted probability, and
- the theme space's cosine (what the stage clusters),

each cut over a range, and scored with ``diaoyan eval``'s pairwise F1 on development and
held-out pairs. The stage's own themes (list and level rules, merges) are printed first.
If the fitted similarity does no better than the cosine, weighting the three signals
differently cannot close the gap to the gold; something they do not hold is missing.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from pipeline.analysis import themes
from pipeline.analysis.themes_vectors import fit_vectors, template_terms, unit_terms
from pipeline.nlp.dictionaries import SegmentOptions, load_stopwords
from pipeline.outputs.evaluate import find_document
from pipeline.outputs.graph_scores import gold_theme_members, theme_scores
from pipeline.outputs.scoring import load_heldout
from pipeline.stages.graph import graph_units
from pipeline.store import Store

CUTS = (0.1, 0.14, 0.18, 0.22, 0.3, 0.4, 0.5)


def read_run(out: Path):
    """Documents, their units by document id, and every graph unit of a run's store (the
    words read with the default ``[segment]`` stopwords, as a run without diaoyan.toml)."""
    store = Store.for_reading(out)
    docs = list(store.iter_documents())
    units: dict[str, list] = {doc.doc_id: [] for doc in docs}
    for unit in store.iter_units():
        units[unit.doc_id].append(unit)
    stopwords = load_stopwords(SegmentOptions().stopword_files)
    found = [g for doc in docs for g in graph_units(
        doc, units[doc.doc_id], store.get_tokens(doc.doc_id), stopwords)]
    return docs, units, found


def block_similarities(candidates, options: themes.ThemeOptions):
    """Cosines of each block (words, headline n-grams, concepts) and of the whole space."""
    words = unit_terms(candidates, options)
    template = template_terms(candidates, options)
    words = {u: [w for w in ws if w not in template.get(u, ())] for u, ws in words.items()}
    space, matrix, _vocabulary, _word_block = fit_vectors(candidates, words, options, template)
    edges = np.cumsum([0, len(space.words.vocabulary), len(space.grams.vocabulary),
                       len(space.concepts.vocabulary)])
    columns = matrix.tocsc()
    blocks = [normalize(columns[:, a:b].tocsr()) for a, b in itertools.pairwise(edges)]
    return [(b @ b.T).toarray() for b in blocks], (matrix @ matrix.T).toarray()


def gold_rows(docs, units, gold, candidates, side):
    """(doc id, candidate row, group name) of each gold item of ``side`` found in the run."""
    row_of = {u.unit_id: row for row, u in enumerate(candidates)}
    return [(doc_id, row_of[unit_id], group["name"])
            for group in gold if group.get("side") == side
            for doc_id, unit_id in gold_theme_members(docs, units, group)
            if unit_id in row_of]


def fitted_probability(blocks, rows, heldout_ids):
    """P(same group) from the block cosines, fitted on development pairs, for every pair."""
    features, same = [], []
    for a, b in itertools.combinations(rows, 2):
        if a[0] == b[0] or a[0] in heldout_ids or b[0] in heldout_ids:
            continue
        features.append([s[a[1], b[1]] for s in blocks])
        same.append(a[2] == b[2])
    model = LogisticRegression(C=10, max_iter=1000).fit(np.array(features), np.array(same))
    grid = np.stack([s.ravel() for s in blocks], axis=1)
    weights = ", ".join(f"{w:.2f}" for w in model.coef_[0])
    print(f"  fitted weights (words, n-grams, concepts): {weights}")
    return model.predict_proba(grid)[:, 1].reshape(blocks[0].shape)


def average_linkage_groups(similarity, candidates, cut):
    """Unit id → group label (None alone) by average linkage cut at ``cut``."""
    distance = np.clip(1.0 - similarity.astype(float), 0.0, 1.0)
    doc_ids = np.array([u.doc_id for u in candidates])
    distance[doc_ids[:, None] == doc_ids[None, :]] = 1.0  # one report's units stay apart
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(linkage(squareform(distance, checks=False), "average"), 1 - cut,
                      "distance")
    sizes = np.bincount(labels)
    return {u.unit_id: (int(label) if sizes[label] >= 2 else None)
            for u, label in zip(candidates, labels, strict=True)}


def main(out: str, gold_files: str, split_files: str) -> None:
    """Print the stage's theme F1 and the F1 of the two similarities at each cut."""
    docs, units, found = read_run(Path(out))
    gold_groups = [g for path in gold_files.split(",")
                   for g in json.loads(Path(path).read_text("utf-8")).get("themes", [])]
    heldout = load_heldout([Path(p) for p in split_files.split(",")])
    heldout_ids = {d.doc_id for d in (find_document(docs, n) for n in heldout) if d}
    options = themes.ThemeOptions()

    def f1(assign, side):
        gold = {"themes": [g for g in gold_groups if g.get("side") == side]}
        scores = [theme_scores(docs, units, assign, gold, heldout, part)["all"]["f1"]
                  for part in ("dev", "heldout")]
        return " / ".join(f"{score:.3f}" for score in scores)

    for side in themes.KINDS:
        candidates = themes.theme_candidates(found, side)
        print(f"{side}: {len(candidates)} units; pairwise F1 development / held-out")
        stage = themes.fit_themes(found, options, side)[0].assignments
        print(f"  the stage's themes: {f1(stage, side)}")
        blocks, cosine = block_similarities(candidates, options)
        probability = fitted_probability(blocks, gold_rows(docs, units, gold_groups,
                                                           candidates, side), heldout_ids)
        for cut in CUTS:
            by_cosine = average_linkage_groups(cosine, candidates, cut)
            by_fit = average_linkage_groups(probability, candidates, cut)
            print(f"  cut {cut:.2f}: cosine {f1(by_cosine, side)}   fitted {f1(by_fit, side)}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
