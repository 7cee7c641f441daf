"""Term evidence for links: the shared term helpers, and explicit references.

A countermeasure may name what it answers: 针对基层反映的晋升、待遇……等问题，建议…
(a specific reference) or 针对上述问题 (the problem just before it). Pure functions over
strings used by :mod:`pipeline.analysis.links`; the term helpers live in
:mod:`pipeline.analysis.textvec`, shared with themes.
"""

from __future__ import annotations

import re

from pipeline.analysis.textvec import contrast_weights, coverage, found, lead, normalise

__all__ = ["RE_GENERIC_CLAUSE", "RE_REFERENCE", "contrast_weights", "coverage", "found",
           "lead", "normalise", "reference_clauses"]

# 针对基层反映的晋升、待遇……等问题，建议 / 鉴于事业干部人才成长“天花板”现象突出
RE_REFERENCE = re.compile(
    r"(?:针对|鉴于|对于|面对|为解决|为破解)(?P<clause>[^。；！？]{2,80}?)"
    r"(?:问题|现象|短板|不足|困难|矛盾|难题|情况|状况)"
)
# 针对上述问题 / 针对调研中发现的问题: names no problem in particular.
RE_GENERIC_CLAUSE = re.compile(r"^(?:上述|以上|前述|这些|此类|这一|这类|存在的|调研中?发现的)")


def reference_clauses(text: str) -> list[str]:
    """Specific 针对/鉴于……问题 clauses of a text (not 针对上述问题)."""
    clauses = (normalise(m["clause"]) for m in RE_REFERENCE.finditer(text))
    return [c for c in clauses if not RE_GENERIC_CLAUSE.match(c)]
