"""Listed clauses: the problems or tasks a paragraph lists after its lead-in.

"我们也清醒认识到…主要是：A；B；C" gives A, B and C, each a unit of its own
(``pipeline.text.paragraphs`` makes them children of the paragraph's unit), so each
problem can be compared across places on its own. Separators, strongest first: "；",
then "。" after a problem lead-in, then "，" in a one-sentence list or in a sentence
whose every part names a problem.
"""

from __future__ import annotations

from pipeline.text import outline_patterns as pat


def _list_bounds(paragraph: str) -> tuple[int, bool] | None:
    """Where a list starts (after its lead-in) and whether it lists problems."""
    colon = pat.RE_LIST_COLON.search(paragraph)
    if colon and _sentences_before(paragraph, colon.start()) <= 1:
        leadin = paragraph[: colon.start()]
        problem = bool(pat.RE_PROBLEM_WORD.search(leadin) and pat.RE_PROBLEM_FRAME.search(leadin))
        return colon.end(), problem
    cue = pat.RE_PROBLEM_CUE.search(paragraph)
    if cue is None or _sentences_before(paragraph, cue.start()) > 1:
        return None
    sentence_end = pat.RE_CLAUSE_SEMICOLON.search(paragraph, cue.end())
    if sentence_end and sentence_end.group() not in "；;":
        rest = paragraph[cue.end() : sentence_end.start()]
        if len(pat.RE_CLAUSE_COMMA.findall(rest)) <= MAX_LEADIN_COMMAS:
            if not pat.RE_DIFFICULTY_WORD.search(rest):
                return None
            return sentence_end.end(), True  # "…仍然不少。市场预期偏弱，…"
    comma = pat.RE_CLAUSE_COMMA.match(paragraph, cue.end())
    return (comma.end() if comma else cue.end()), True  # "清醒认识到，A；B；C"


# A lead-in sentence after "清醒认识到" has at most this many commas ("我们也清醒地看到，外部形势
# 依然严峻，不确定因素增多。"); a longer sentence is the list itself.
MAX_LEADIN_COMMAS = 2


def _sentences_before(paragraph: str, pos: int) -> int:
    return len(pat.RE_CLAUSE_SENTENCE.findall(paragraph, 0, pos))


def lists_problems(paragraph: str) -> bool:
    """A difficulties paragraph: "我们也清醒认识到…主要是：A；B；C"."""
    bounds = _list_bounds(paragraph)
    return bool(bounds and bounds[1] and listed_clauses(paragraph))


def _list_end(paragraph: str, start: int) -> int:
    """Where the list stops: at a closing sentence ("对此，我们将…") or the paragraph end."""
    pos = start
    for match in pat.RE_CLAUSE_SENTENCE.finditer(paragraph, start):
        nxt = match.end()
        while nxt < len(paragraph) and paragraph[nxt] in "”’」』）) ":
            nxt += 1
        if pat.RE_LIST_CLOSING.match(paragraph, nxt):
            return nxt
        pos = nxt
    return len(paragraph) if pos < len(paragraph) else pos


def listed_clauses(paragraph: str, *, max_chars: int = 60) -> list[tuple[int, int, str]]:
    """The clauses a paragraph lists after its lead-in, as (start, end, headline).

    "主要是：A；B；C。" gives A, B, C; after a problem lead-in the clauses may also be
    separated by 。 ("…主要是：A。B。C。") or, in a one-sentence list, by commas. A list of
    tasks needs semicolons. Fewer than two clauses is no list.
    """
    bounds = _list_bounds(paragraph)
    if bounds is None:
        return []
    start, problem = bounds
    end = _list_end(paragraph, start)
    body = paragraph[start:end]
    if "；" in body or ";" in body:
        separator = pat.RE_CLAUSE_SEMICOLON
    elif not problem:
        return []
    elif len(pat.RE_CLAUSE_SENTENCE.findall(body.rstrip("。！？!? "))) >= 1:
        separator = pat.RE_CLAUSE_SENTENCE
    else:
        separator = pat.RE_CLAUSE_COMMA
    clauses = [
        clause
        for piece_start, piece_end in _pieces(separator, paragraph, start, end)
        for clause in _split_long(paragraph, piece_start, piece_end, max_chars, problem)
    ]
    return clauses if len(clauses) >= 2 else []


def _pieces(separator, paragraph: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces, piece_start = [], start
    for match in separator.finditer(paragraph, start, end):
        pieces.append((piece_start, match.start()))
        piece_start = match.end()
    pieces.append((piece_start, end))
    return pieces


def _split_long(paragraph: str, start: int, end: int, max_chars: int,
                problem: bool = False) -> list[tuple[int, int, str]]:
    """One clause, or its comma-separated parts when it is longer than ``max_chars`` or
    when, in a list of problems, every part reads as a problem of its own: a sentence of
    a 。-separated list often names several problems ("有效需求不足，部分企业经营困难")."""
    clause = _clause(paragraph, start, end)
    if clause is None:
        return []
    parts = [part for s, e in _pieces(pat.RE_CLAUSE_COMMA, paragraph, start, end)
             if (part := _clause(paragraph, s, e))]
    if clause[1] - clause[0] > max_chars:
        return parts
    if problem and len(parts) >= 2 and all(_stands_alone(text) for _s, _e, text in parts):
        return parts
    return [clause]


def _stands_alone(text: str) -> bool:
    return len(text) >= MIN_CLAUSE_CHARS + 1 and not pat.RE_LEANING_PART.match(text)


MIN_CLAUSE_CHARS = 4


def _clause(paragraph: str, start: int, end: int) -> tuple[int, int, str] | None:
    while start < end and paragraph[start] in " \u3000”’」』）)":
        start += 1
    text = pat.RE_LIST_TAIL.sub("", paragraph[start:end].rstrip(" \u3000"))
    text = text.rstrip("，,、。")
    if len(text) < MIN_CLAUSE_CHARS:
        return None
    return start, start + len(text), text
