"""Invented report data for demos, tests and size checks: no real report text.

``example_report_data(n_docs)`` makes a ``ReportData`` (:mod:`pipeline.outputs.report_data`)
over ``n_docs`` invented documents whose places, themes, links and topics grow with
``n_docs`` as they would in a real corpus; the same ``n_docs`` and ``seed`` give the same
data.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from pipeline.outputs.report_data import (
    COUNTERMEASURE,
    EVIDENCE_LIMIT,
    PROBLEM,
    UNKNOWN_PLACE,
    Changelog,
    CorpusOverview,
    DistinctiveTheme,
    DocChange,
    EdgeEvidence,
    EdgeRef,
    Evidence,
    GraphEdge,
    GraphNode,
    IngestIssue,
    MatrixCell,
    PlaceCount,
    PlaceThemeMatrix,
    ReportData,
    StatusCount,
    Theme,
    ThemeGraph,
    TopicPrevalence,
    TopicSummary,
    UnansweredProblem,
    YearCount,
)

_EXAMPLE_PLACES = (
    "四川省巴中市", "四川省成都市", "四川省绵阳市", "甘肃省张掖市临泽县", "甘肃省兰州市",
    "贵州省遵义市", "贵州省毕节市", "云南省曲靖市", "云南省大理白族自治州",
    "湖南省湘西土家族苗族自治州", "湖北省恩施土家族苗族自治州", "河南省南阳市", "河北省保定市",
    "山西省吕梁市", "陕西省延安市", "江西省赣州市", "安徽省六安市", "广西壮族自治区百色市",
    "重庆市", "浙江省丽水市", "福建省宁德市", "山东省临沂市", "江苏省宿迁市",
    "黑龙江省齐齐哈尔市", "吉林省延边朝鲜族自治州", "辽宁省朝阳市", "内蒙古自治区赤峰市",
    "宁夏回族自治区固原市", "青海省海东市", "新疆维吾尔自治区喀什地区", "西藏自治区日喀则市",
    "海南省五指山市", "广东省梅州市", "四川省凉山彝族自治州", "甘肃省定西市",
    "贵州省黔东南苗族侗族自治州", "云南省昭通市", "湖南省邵阳市", "河南省信阳市", "陕西省汉中市",
)
_SUBJECTS = (
    "农村供水", "乡村道路", "义务教育", "基层医疗", "居家养老", "河道治理", "易地搬迁", "稳岗就业",
)
_PROBLEMS = ("资金保障不足", "专业人才流失", "设施老化失修", "监管责任不清", "群众参与不够")
_MEASURES = (
    "加大财政投入", "完善人才激励", "建立长效管护机制", "压实监管责任", "拓宽群众参与渠道",
)
_DETAILS = (
    "个别乡镇反映", "座谈中干部提到", "走访的村组普遍存在", "问卷显示近半数受访者认为", "近三年来",
)
_UNANSWERED_PATTERN = 4  # the example's reports never answer this pattern


@dataclass(frozen=True)
class _ExampleUnit:
    """An invented problem unit of one document and the countermeasure unit answering it."""

    subject: str
    pattern: int  # index into _PROBLEMS
    answer: int  # index into _MEASURES: usually the same, sometimes a neighbour
    problem: Evidence
    measure: Evidence

    @property
    def answered(self) -> bool:
        return self.pattern != _UNANSWERED_PATTERN

    def theme_id(self, kind: str) -> str:
        index = self.pattern if kind == PROBLEM else self.answer
        return f"{kind[0]}{_SUBJECTS.index(self.subject)}{index}"

    def label(self, kind: str) -> str:
        return self.subject + (_PROBLEMS[self.pattern] if kind == PROBLEM else
                               _MEASURES[self.answer])

    def evidence(self, kind: str) -> Evidence:
        return self.problem if kind == PROBLEM else self.measure


@dataclass(frozen=True)
class _ExampleDoc:
    doc_id: str
    source: str
    place: str
    year: int
    units: tuple[_ExampleUnit, ...]

    def units_of(self, kind: str) -> tuple[_ExampleUnit, ...]:
        """Problem units, or the units whose countermeasure exists."""
        return self.units if kind == PROBLEM else tuple(u for u in self.units if u.answered)


def example_report_data(n_docs: int = 30, seed: int = 0) -> ReportData:
    """A ReportData over ``n_docs`` invented documents (no real report text), for demos
    and tests; places and themes grow with ``n_docs`` as they would in a real corpus."""
    rng = random.Random(seed)
    places = _EXAMPLE_PLACES[: max(3, min(len(_EXAMPLE_PLACES), n_docs // 8))]
    subjects = _SUBJECTS[: max(2, min(len(_SUBJECTS), 2 + n_docs // 60))]
    docs = [_example_doc(k, rng, places, subjects) for k in range(n_docs)]
    problems = _example_matrix(PROBLEM, docs)
    measures = _example_matrix(COUNTERMEASURE, docs)
    return ReportData(
        run_date="2026-11-30T02:15:00+08:00",
        corpus=_example_overview(docs),
        problem_matrix=problems,
        countermeasure_matrix=measures,
        graph=_example_graph(docs, problems, measures),
        topics=_example_topics(docs, subjects),
        prevalence=_example_prevalence(rng, docs, places, subjects),
        distinctive=_example_distinctive(problems),
        unanswered=_example_unanswered(problems, docs),
        changelog=_example_changelog(docs, problems),
    )


def _example_doc(k: int, rng: random.Random, places, subjects) -> _ExampleDoc:
    """One invented document: a place, a year and 2–5 problems."""
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(places))]  # a few places hold most
    place = UNKNOWN_PLACE if k % 17 == 16 else rng.choices(places, weights)[0]
    doc_id, source = f"d{k:05d}", f"样例/{place}/调研报告{k:04d}.docx"
    pairs = [(s, p) for s in subjects for p in range(len(_PROBLEMS))]
    units = []
    for n, (subject, pattern) in enumerate(rng.sample(pairs, k=rng.randint(2, 5))):
        said = f"{rng.choice(_DETAILS)}，{subject}{_PROBLEMS[pattern]}，影响工作推进。"
        # A quarter of the answers go to a neighbouring measure, so the graph has crossings.
        answer = (pattern + 1) % _UNANSWERED_PATTERN if rng.random() < 0.25 else pattern
        proposed = f"{subject}要{_MEASURES[answer]}，逐项明确责任与时限。"
        units.append(_ExampleUnit(subject, pattern, answer,
                                  Evidence(doc_id, source, f"u{2 * n + 1}", said),
                                  Evidence(doc_id, source, f"u{2 * n + 2}", proposed)))
    return _ExampleDoc(doc_id, source, place, 2016 + k % 9, tuple(units))


def _example_matrix(kind: str, docs: list[_ExampleDoc]) -> PlaceThemeMatrix:
    found: dict[tuple[str, str], list[Evidence]] = {}
    labels: dict[str, str] = {}
    for doc in docs:
        for unit in doc.units_of(kind):
            found.setdefault((doc.place, unit.theme_id(kind)), []).append(unit.evidence(kind))
            labels[unit.theme_id(kind)] = unit.label(kind)
    cells = tuple(MatrixCell(place, theme_id, len(ev), tuple(ev[:EVIDENCE_LIMIT]))
                  for (place, theme_id), ev in sorted(found.items()))
    n_theme = Counter[str]()
    n_place = Counter[str]()
    for cell in cells:
        n_theme[cell.theme_id] += cell.n_docs
        n_place[cell.place] += cell.n_docs
    themes = tuple(Theme(t, kind, labels[t], n, (labels[t][:4], labels[t][4:]))
                   for t, n in n_theme.most_common())
    places = tuple(sorted(n_place, key=lambda p: (p == UNKNOWN_PLACE, -n_place[p])))
    return PlaceThemeMatrix(kind, places, themes, cells)


def _example_overview(docs: list[_ExampleDoc]) -> CorpusOverview:
    by_place = Counter(level for doc in docs for level in _example_levels(doc.place))
    years = Counter(doc.year for doc in docs)
    issues = tuple(
        IngestIssue(f"样例/坏文件{k:03d}.pdf", "error", "PDF 无文本层（扫描件）") if k % 2 else
        IngestIssue(f"样例/副本{k:03d}.docx", "duplicate", f"与 d{k:05d} 内容相同，保留先到的一份")
        for k in range(max(2, len(docs) // 25)))
    statuses = Counter(issue.status for issue in issues)
    return CorpusOverview(
        n_documents=len(docs),
        places=tuple(PlaceCount(place, level, n) for (place, level), n in by_place.most_common()),
        years=tuple(YearCount(year, n) for year, n in sorted(years.items())),
        statuses=(StatusCount("ok", len(docs)),
                  *(StatusCount(status, n) for status, n in sorted(statuses.items()))),
        issues=issues)


def _example_levels(place: str) -> list[tuple[str, str]]:
    """(place, level) for ``place`` and each place containing it."""
    if place == UNKNOWN_PLACE:
        return [(place, "unknown")]
    ends = [place.find(mark) + len(mark) for mark in ("省", "自治区") if mark in place]
    province = place[: min(ends)] if ends else place
    county_at = place.find("县")
    city = place if county_at < 0 else place[: place.rfind("市", 0, county_at) + 1]
    levels = [(province, "province")]
    if city != province:
        levels.append((city, "city"))
    if county_at >= 0:
        levels.append((place, "county"))
    return levels


def _example_graph(docs, problems: PlaceThemeMatrix, measures: PlaceThemeMatrix) -> ThemeGraph:
    found: dict[tuple[str, str], list[EdgeEvidence]] = {}
    for doc in docs:
        for u in doc.units_of(COUNTERMEASURE):
            found.setdefault((u.theme_id(PROBLEM), u.theme_id(COUNTERMEASURE)), []).append(
                EdgeEvidence(doc.doc_id, doc.source, doc.place, u.problem.unit_id,
                             u.problem.quote, u.measure.unit_id, u.measure.quote))
    edges = tuple(GraphEdge(s, t, round(0.8 * len(ev), 2), len(ev), len({e.place for e in ev}),
                            tuple(ev[:EVIDENCE_LIMIT])) for (s, t), ev in sorted(found.items()))
    nodes = tuple(
        GraphNode(theme.theme_id, theme.kind, theme.label, 2 * theme.n_docs, theme.n_docs,
                  tuple(sorted({c.place for c in matrix.cells if c.theme_id == theme.theme_id})))
        for matrix in (problems, measures) for theme in matrix.themes)
    return ThemeGraph(nodes, edges)


def _example_topics(docs, subjects) -> tuple[TopicSummary, ...]:
    return tuple(
        TopicSummary(t, f"{subject}·保障·机制", (subject, "保障", "机制", "基层"),
                     tuple(u.problem for d in docs for u in d.units if u.subject == subject)[:5])
        for t, subject in enumerate(subjects))


def _example_prevalence(rng, docs, places, subjects) -> tuple[TopicPrevalence, ...]:
    n_docs = Counter(doc.place for doc in docs)
    rows = []
    for t, subject in enumerate(subjects):
        for place in places:
            mean = rng.betavariate(2, 2 + len(subjects))
            half = min(mean, 0.6 / (1 + n_docs[place]) ** 0.5)  # wider where fewer documents
            rows.append(TopicPrevalence(t, f"{subject}·保障·机制", place, round(mean, 4),
                                        round(mean - half, 4), round(min(1.0, mean + half), 4),
                                        n_docs[place]))
    return tuple(rows)


def _example_distinctive(matrix: PlaceThemeMatrix) -> tuple[DistinctiveTheme, ...]:
    """Per place, the two themes whose share there most exceeds their share elsewhere."""
    labels = {t.theme_id: t.label for t in matrix.themes}
    total = Counter[str]()
    in_place = Counter[str]()
    for cell in matrix.cells:
        total[cell.theme_id] += cell.n_docs
        in_place[cell.place] += cell.n_docs
    all_docs = sum(total.values())
    places_of = Counter(cell.theme_id for cell in matrix.cells)
    rows = []
    for place in (p for p in matrix.places if p != UNKNOWN_PLACE):
        cells = [c for c in matrix.cells if c.place == place]
        rest = all_docs - in_place[place] or 1
        lift = {c.theme_id: c.n_docs / in_place[place] - (total[c.theme_id] - c.n_docs) / rest
                for c in cells}
        for cell in sorted(cells, key=lambda c: -lift[c.theme_id])[:2]:
            rows.append(DistinctiveTheme(place, cell.theme_id, matrix.kind, labels[cell.theme_id],
                                         cell.n_docs, places_of[cell.theme_id] - 1,
                                         cell.evidence[:5]))
    return tuple(rows)


def _example_unanswered(matrix: PlaceThemeMatrix, docs) -> tuple[UnansweredProblem, ...]:
    answered = {u.theme_id(PROBLEM) for d in docs for u in d.units_of(COUNTERMEASURE)}
    rows = []
    for theme in (t for t in matrix.themes if t.theme_id not in answered):
        cells = [c for c in matrix.cells if c.theme_id == theme.theme_id]
        evidence = tuple(e for c in cells for e in c.evidence)[:EVIDENCE_LIMIT]
        rows.append(UnansweredProblem(theme.theme_id, theme.label, theme.n_docs,
                                      tuple(c.place for c in cells), evidence))
    return tuple(rows)


def _example_changelog(docs, matrix: PlaceThemeMatrix) -> Changelog:
    latest = docs[-3:]
    changes = (*(DocChange(d.doc_id, d.source, "added") for d in latest),
               DocChange("d99999", "样例/旧报告.txt", "removed", "文件已从语料目录删除"),
               DocChange("", "样例/加密报告.pdf", "failed", "PDF 已加密，无法读取"))
    answered = [u for d in latest for u in d.units_of(COUNTERMEASURE)][:1]
    return Changelog(
        run_date="2026-11-30T02:15:00+08:00", previous_run_date="2026-11-29T02:15:00+08:00",
        documents=changes, new_themes=matrix.themes[-1:],
        new_edges=tuple(EdgeRef(u.theme_id(PROBLEM), u.theme_id(COUNTERMEASURE)) for u in answered),
        new_places=tuple(d.place for d in latest[-1:]))
