"""The classifier scores without scikit-learn exactly as the scikit-learn pipeline it came from."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from pipeline.tagging import TagOptions
from pipeline.tagging.classifier import (
    _dense_features,
    _headline_texts,
    _make_pipeline,
    _word_lists,
    train_classifier,
)
from pipeline.tagging.linear import LinearModel
from pipeline.tagging.silver import seed_examples
from tests.tagging_support import unit

PROBES = [
    unit("乡镇干部待遇偏低", "工资收入低，津贴补贴少"),
    unit("（一）加强  基层队伍建设", "完善激励机制，落实容错纠错"),
    unit("ABC  Mixed 英文 Headline", "一是强化培训；二是提高待遇"),
    unit("", ""),  # nothing the vocabularies know
    unit("调研的基本情况", "本次调研走访了12个乡镇"),
]


@pytest.mark.parametrize("two_classes", [False, True])
def test_linear_model_gives_the_pipelines_probabilities(two_classes):
    examples = list(seed_examples())
    if two_classes:
        examples = [(item, label) for item, label in examples
                    if label in ("problem", "countermeasure")]
    pipeline = _make_pipeline(TagOptions())
    with threadpool_limits(1):
        pipeline.fit([item for item, _ in examples], [label for _, label in examples])
    expected = pipeline.predict_proba(PROBES)
    model = LinearModel.from_pipeline(pipeline)
    got = model.predict_proba(_headline_texts(PROBES), _word_lists(PROBES),
                              _dense_features(PROBES))
    assert got.shape == expected.shape
    assert np.allclose(got, expected, rtol=0, atol=1e-12)


def test_a_stored_classifier_loads_and_scores_without_scikit_learn(tmp_path):
    classifier = train_classifier(list(seed_examples()), TagOptions())
    assert classifier is not None
    stored = tmp_path / "classifier.bin"
    stored.write_bytes(classifier.to_bytes())
    code = (
        "import sys, pathlib\n"
        "from pipeline.tagging import Classifier\n"
        "from tests.tagging_support import unit\n"
        f"c = Classifier.from_bytes(pathlib.Path({str(stored)!r}).read_bytes())\n"
        "print(max(c.predict_proba([unit('干部待遇偏低', '工资低')])[0].values()) > 0)\n"
        "print('sklearn' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stdout.split() == ["True", "False"]
    assert b"sklearn" not in pickle.dumps(classifier)
