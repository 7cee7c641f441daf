"""Paragraph units: paragraphs that open with a lead phrase, and the clauses a paragraph lists.

Government and audit reports carry most of their content in paragraphs without numbers
that open with a lead phrase — "稳外贸稳外资持续加力。…", "——这五年，民生福祉不断增进。…",
"五年来，我们…" — and speeches list their difficulties in one paragraph
("我们也清醒认识到…主要是：A；B；C"). Here such paragraphs become units (kind ``para``,
headline = the lead phrase) and each listed clause a child unit (kind ``clause``), so a
problem can be compared across places on its own.

Which body paragraphs are units (:func:`paragraph_units`):

* in a *lead-paragraph document* — one without any heading, or one where many
  paragraphs open with a short lead — every body paragraph;
* elsewhere (a 调研报告 whose items are numbered) a paragraph is a unit when it is not
  the continuation of a numbered item: it stands before the first heading (the
  report's opening), or right under a heading that has subheadings (the section's
  introduction), or right under a top-level heading that is only a title
  ("一、执法检查基本情况"); the outline parser tells which headings open such
  paragraphs. A paragraph under a numbered item without subheadings ("（一）党性不强。
  有的干部…" / "1.调研时间" + its text), or after an enumeration item (一是…), continues
  that item. A paragraph that opens with a short lead, a speech's vocative ("各位代表，…"
  turns to a new topic), a finding's evidence ("调查显示，…", "据…统计，…") or a list of
  problems is a unit anywhere. A paragraph holding
  enumeration items ("…主要表现在：一是…二是…") is not: its items are the units and its
  opening their lead-in; nor is a paragraph that ends in a colon ("其主要做法是："), the
  lead-in of what follows. (In a lead-paragraph document it is, and its items nest in it:
  "一年来，全市经济社会发展稳中有进。一是…二是…".)

A short line that is one lead sentence ("生态底色更加亮丽。") heads the paragraph after
it: both make one unit. The clauses a paragraph lists are found in
``pipeline.text.listed_clauses``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.text import outline_patterns as pat
from pipeline.text.listed_clauses import listed_clauses, lists_problems
from pipeline.text.vocab import RE_SENTENCE_END_CHAR


@dataclass(frozen=True)
class ParagraphOptions:
    """Tunables of paragraph units (fields of the outline options with these names)."""

    # A lead phrase (first sentence) this short, without a comma, marks a lead paragraph.
    max_lead_chars: int = 24
    # A headline cut from a longer first sentence is at most this long.
    max_headline_chars: int = 60
    # A line that is one sentence this short heads the paragraph after it.
    max_lead_line_chars: int = 30
    # Every body paragraph is a unit when at least this share of them opens with a lead.
    min_lead_share: float = 0.3
    # ... and the document has at least this many body paragraphs.
    min_lead_paragraphs: int = 4
    # A listed clause longer than this is split at its commas.
    max_clause_chars: int = 60


DEFAULT_PARAGRAPH_OPTIONS = ParagraphOptions()


@dataclass(frozen=True)
class LineInfo:
    """What the outline parser knows of one line, as paragraph units need it."""

    start: int
    end: int
    text: str
    # "open": the paragraphs under this heading line are units (it has subheadings, or is a
    # top-level title); "closed": they continue its item. None: not a heading line.
    heading: str | None = None
    enum_led: bool = False  # an enumeration item starts the line (一是… / 第一，…)
    has_enum: bool = False  # an enumeration item starts inside the line (…：一是…，二是…)
    skipped: bool = False  # table of contents, title, a line a part title used


@dataclass(frozen=True)
class ParagraphUnit:
    """A paragraph unit: [start, end) of its line(s), its marker and headline, its clauses."""

    start: int
    end: int
    line: int  # index of its first line
    marker: str
    headline: str
    clauses: tuple[tuple[int, int, str], ...] = ()  # (start, end, headline) of listed clauses


# ---- lead phrases ----------------------------------------------------------------------


def lead_start(paragraph: str) -> tuple[int, str]:
    """Offset where the lead phrase begins (after a vocative and a dash) and the dash seen."""
    pos = 0
    vocative = pat.RE_VOCATIVE.match(paragraph)
    if vocative:
        pos = vocative.end()
    dash = pat.RE_LEAD_DASH.match(paragraph, pos)
    if dash:
        return dash.end(), dash.group().strip()
    return pos, ""


def lead_headline(paragraph: str, *, max_chars: int = 60) -> str:
    """The lead phrase of a paragraph: its first sentence (or the part before a colon),
    after a vocative or a dash, cut at a comma when longer than ``max_chars``."""
    start, _dash = lead_start(paragraph)
    rest = paragraph[start:]
    end = pat.RE_LEAD_END.search(rest)
    cut = end.start() if end else len(rest)
    if cut > max_chars:
        commas = [m.start() for m in pat.RE_LEAD_CUT.finditer(rest, 0, max_chars + 1)]
        cut = commas[-1] if commas and commas[-1] >= max_chars // 2 else max_chars
    return rest[:cut].strip().rstrip("，,、")


def _first_sentence(paragraph: str) -> tuple[str, str]:
    """The first sentence after a vocative or a dash, and what follows it."""
    start, _dash = lead_start(paragraph)
    rest = paragraph[start:]
    end = pat.RE_FIRST_SENTENCE_END.search(rest)
    if end is None:
        return rest, ""
    return rest[: end.start()], rest[end.end() :].lstrip("”’」』）) ")


def opens_with_lead(paragraph: str, options: ParagraphOptions = DEFAULT_PARAGRAPH_OPTIONS) -> bool:
    """A paragraph that opens with a lead: "——这五年，…" or a short first sentence
    without a comma followed by the paragraph's text ("稳外贸稳外资持续加力。外贸实现…")."""
    if lead_start(paragraph)[1]:
        return True
    sentence, after = _first_sentence(paragraph)
    return (
        0 < len(sentence) <= options.max_lead_chars
        and not pat.RE_LEAD_COMMA.search(sentence)
        and len(after) > 0
    )


def is_lead_line(line: str, options: ParagraphOptions = DEFAULT_PARAGRAPH_OPTIONS) -> bool:
    """A line that is one short sentence without a comma, like a title: "生态底色更加亮丽。"."""
    sentence, after = _first_sentence(line)
    return (
        not after
        and 0 < len(line) <= options.max_lead_line_chars
        and line[-1] in "。！!"
        and bool(sentence)
        and not pat.RE_LEAD_COMMA.search(sentence)
    )


def is_body_paragraph(line: str) -> bool:
    """Body text rather than a title, a speaker line or a salutation."""
    if pat.RE_SPEECH_OPENER.search(line) or pat.RE_BRACKETED_LINE.match(line):
        return False
    if pat.RE_THANKS_END.search(line) or pat.RE_CLOSING_CALL.search(line):
        return False  # thanks and closing calls: "…表示衷心感谢！" / "让我们…而努力奋斗！"
    if not lead_headline(line):
        return False  # "各位代表！" alone
    return bool(RE_SENTENCE_END_CHAR.search(line)) or len(line) > 60


# ---- which paragraphs are units ----------------------------------------------------------


def _lead_document(lines: Sequence[LineInfo], body: list[int], options: ParagraphOptions) -> bool:
    """Every paragraph is a unit: no heading at all, or many paragraphs open with a lead."""
    if not any(info.heading for info in lines):
        return True
    plain = [i for i in body if not lines[i].enum_led]
    if len(plain) < options.min_lead_paragraphs:
        return False
    body_set = set(body)
    leads = sum(
        1
        for i in plain
        if opens_with_lead(lines[i].text, options)
        or (is_lead_line(lines[i].text, options) and i + 1 in body_set)
    )
    return leads >= options.min_lead_share * len(plain)


def paragraph_units(
    lines: Sequence[LineInfo], options: ParagraphOptions = DEFAULT_PARAGRAPH_OPTIONS
) -> list[ParagraphUnit]:
    """The paragraph units of a document, in order (see the module docstring)."""
    body = [
        i
        for i, info in enumerate(lines)
        if not info.heading and not info.skipped and is_body_paragraph(info.text)
    ]
    every = _lead_document(lines, body, options)
    body_set = set(body)
    units: list[ParagraphUnit] = []
    is_open, absorbed, previous = True, -1, -1
    for i, info in enumerate(lines):
        if info.heading:
            is_open, previous = info.heading == "open", -1
            continue
        if i not in body_set or i == absorbed:
            if _fragment(info):
                previous = i  # a fragment of body text: "…2023年接待游客达到1."
            continue
        continues = previous >= 0 and _continues(lines, previous, i)
        previous = i
        if info.enum_led:
            is_open = False
            continue
        if continues:
            continue  # the rest of a sentence a line break cut: "…达到1." + "2万人次…"
        if info.has_enum and not every:
            continue  # "…主要表现在：(1)…；(2)…": its items are the units, this their lead-in
        if pat.RE_LEADIN_END.search(info.text) and _leadin_start(info.text) == 0:
            continue  # "为实现上述目标，要重点抓好以下工作：": the lead-in of what follows
        if not (every or is_open or opens_with_lead(info.text, options)
                or pat.RE_VOCATIVE.match(info.text) or pat.RE_FINDING_OPEN.match(info.text)
                or lists_problems(info.text)):
            continue
        end = info.end
        nxt = i + 1
        if (
            is_lead_line(info.text, options)
            and nxt in body_set
            and not lines[nxt].enum_led
            and not is_lead_line(lines[nxt].text, options)
        ):
            end, absorbed = lines[nxt].end, nxt  # "生态底色更加亮丽。" + its paragraph
        units.append(_unit(info, i, end, options))
    return units


# Lines this short between two paragraphs (a stray "1、2、3、") do not part them.
MAX_STRAY_CHARS = 8


def _fragment(info: LineInfo) -> bool:
    """A line of body text too short to be a paragraph: "…2023年接待游客达到1."."""
    return (
        not info.skipped
        and bool(pat.RE_CLAUSE_BREAK.search(info.text))
        and not pat.RE_BRACKETED_LINE.match(info.text)
    )


def _continues(lines: Sequence[LineInfo], previous: int, index: int) -> bool:
    """The line goes on with the sentence the body line before it broke off
    ("…2023年接待游客达到1." / "2万人次的接待量…"), with at most a stray short line between."""
    between = lines[previous + 1 : index]
    if len(between) > 1 or any(len(info.text) > MAX_STRAY_CHARS for info in between):
        return False
    return not pat.RE_PARAGRAPH_END.search(lines[previous].text)


def _leadin_start(paragraph: str) -> int | None:
    """Where a closing lead-in ("…其主要做法是：") starts, or None when the paragraph
    does not end in one; 0 when the whole paragraph is that lead-in."""
    if not pat.RE_LEADIN_END.search(paragraph):
        return None
    ends = list(pat.RE_CLAUSE_SENTENCE.finditer(paragraph))
    if not ends:
        return 0
    start = ends[-1].end()
    while start < len(paragraph) and paragraph[start] in "”’」』）) \u3000":
        start += 1
    return start


def _unit(info: LineInfo, index: int, end: int, options: ParagraphOptions) -> ParagraphUnit:
    _start, dash = lead_start(info.text)
    headline = lead_headline(info.text, max_chars=options.max_headline_chars)
    leadin = _leadin_start(info.text)
    if leadin and end == info.end:
        # "…累计建成高标准农田42万亩。其主要做法是：" — the closing lead-in introduces the
        # headings after the paragraph (and frames their labels), so the unit stops before it
        end = info.start + len(info.text[:leadin].rstrip())
    clauses = tuple(
        (info.start + s, info.start + e, head)
        for s, e, head in listed_clauses(info.text, max_chars=options.max_clause_chars)
        if info.start + e <= end
    )
    marker = dash if info.text.startswith(dash) and dash else ""
    return ParagraphUnit(info.start, end, index, marker, headline, clauses)
