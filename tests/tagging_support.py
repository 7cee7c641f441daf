"""Helpers shared by the tagging tests: a unit from its headline, labels of a list of units,
and the classifier trained on the seed examples (trained once per session)."""

from __future__ import annotations

from functools import lru_cache

from pipeline.tagging import (
    Classifier,
    TagInput,
    TagOptions,
    label_units,
    seed_examples,
    train_classifier,
)


def unit(headline: str, text: str = "", ancestors: tuple[str, ...] = (), **kw) -> TagInput:
    """A unit with ``headline`` (its text: the headline, then ``text``) under ``ancestors``."""
    fields = dict(marker="", kind="heading", level=2, position=0.5, tokens=())
    fields.update(kw)
    return TagInput(headline, own_text=headline + "。" + text, ancestor_headlines=ancestors,
                    **fields)


def labels_of(items: list[TagInput], classifier: Classifier | None = None) -> list[str]:
    """The label of each unit, as the tagger gives it."""
    return [label for label, _ in label_units(items, classifier=classifier, options=TagOptions())]


@lru_cache(maxsize=1)
def seed_classifier() -> Classifier:
    """The classifier trained on the seed examples."""
    classifier = train_classifier(seed_examples(), TagOptions())
    assert classifier is not None
    return classifier
