"""The comparison report: one self-contained HTML file drawn from a ``ReportData``.

Reads nothing but its argument and the package's ``resources/report.css`` and
``resources/report.js``; writes one file. Figures are plotly figures
(:mod:`pipeline.outputs.report_figures`) drawn in the page by plotly.js, inlined once from
the plotly package, so the file opens offline with no CDN. The report data is embedded as
JSON (``<script id="report-data">``) and the page script fills the evidence panel
(``#evidence``) from it when a heatmap cell, a graph edge, a topic point or a theme is
clicked; ``window.diaoyanShowEdge(edgeId)`` does the same for an edge id
(``source->target``). Tables and texts are rendered in
:mod:`pipeline.outputs.report_sections`, so the page reads even where scripts are blocked.
"""

from __future__ import annotations

import json
import os
import secrets
from functools import cache
from importlib import resources
from pathlib import Path

from plotly.offline import get_plotlyjs

from pipeline.outputs import report_figures
from pipeline.outputs.report_data import PlaceThemeMatrix, ReportData
from pipeline.outputs.report_figures import graph_figure, prevalence_figure, years_figure
from pipeline.outputs.report_sections import (
    PLACE_LEVELS,
    changelog_html,
    distinctive_html,
    esc,
    figure_or_empty,
    links_html,
    overview_html,
    topics_html,
    unanswered_html,
)

MAX_HEATMAP_PLACES = 150  # rows beyond this make a figure nobody scrolls; the table keeps all
MAX_HEATMAP_THEMES = 80

SECTIONS = (
    ("overview", "Corpus overview · 语料概况",
     "How many documents came from each place and year, and which files ingest could not use "
     "and why."),
    ("problem-themes", "Problem themes by place · 问题主题 × 地区",
     "Each cell counts the documents of a place (row) that name a problem theme (column); "
     "darker is more. Click a cell to read the sentences behind it."),
    ("countermeasure-themes", "Countermeasure themes by place · 对策主题 × 地区",
     "Each cell counts the documents of a place that propose a kind of countermeasure. "
     "Click a cell to read the sentences behind it."),
    ("links", "From problems to countermeasures · 问题 → 对策",
     "Problem themes (left) joined to the countermeasure themes that the same reports propose "
     "for them (right); a thicker line means more reports. Click a line or a table row for the "
     "paired sentences, or a theme for its links."),
    ("topics", "Topic prevalence by place · 主题分布",
     "For the chosen topic, each dot is its estimated share of a place's text and the bar its "
     "interval; a wide bar means few documents. Click a dot for the topic's example passages."),
    ("distinctive", "Distinctive themes · 地区特有主题",
     "Themes a place names much more often than other places do. Click one for its sentences."),
    ("unanswered", "Problems without countermeasures · 未见对策的问题",
     "Problem themes that no report links to any countermeasure. Click one for its sentences."),
    ("changelog", "Latest run · 最近一次更新",
     "What the latest run changed since the one before: documents, themes, links and places."),
)


def write_report(path: Path | str, data: ReportData, *, title: str = "diaoyan report") -> Path:
    """Write the report for ``data`` to ``path`` atomically; return the path."""
    path = Path(path)
    write_atomically(path, render_report(data, title=title))
    return path


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` and rename it over ``path``.

    Readers see the old file or the new one, never half of it; the file gets the user's
    umask (``os.open`` applies it), not mkstemp's 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def render_report(data: ReportData, *, title: str = "diaoyan report",
                  data_json: str | None = None) -> str:
    """The whole report as one HTML string (``data_json``: ``data.to_json()`` when the
    caller has it already; a thousand reports' data takes seconds to convert)."""
    bodies = {
        "overview": overview_html(data),
        "problem-themes": figure_or_empty("heatmap-problem", data.problem_matrix.cells,
                                          "No problem units were grouped into themes."),
        "countermeasure-themes": figure_or_empty(
            "heatmap-countermeasure", data.countermeasure_matrix.cells,
            "No countermeasure units were grouped into themes."),
        "links": links_html(data.graph),
        "topics": topics_html(data),
        "distinctive": distinctive_html(data),
        "unanswered": unanswered_html(data),
        "changelog": changelog_html(data),
    }
    sections = "\n".join(
        f'<section id="{sid}"><h2>{esc(heading)}</h2><p class="how">{esc(how)}</p>\n'
        f"{bodies[sid]}\n</section>" for sid, heading, how in SECTIONS)
    return PAGE.format(
        title=esc(title), css=resource_text("report.css"), header=header_html(data, title),
        sections=sections, data=script_json(data_json or data.to_json()),
        figures=script_json(json.dumps(build_figures(data), ensure_ascii=False)),
        plotly=plotly_bundle(), script=script_text(resource_text("report.js")))


PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="diaoyan">
<link rel="icon" href="data:,">
<title>{title}</title>
<style>
{css}
</style>
</head>
<body>
{header}
<div class="page">
<main>
{sections}
</main>
<aside id="evidence" aria-live="polite">
<button type="button" id="evidence-close" title="Close" aria-label="Close">×</button>
<h2>Evidence · 原文依据</h2>
<div id="evidence-body"><p class="hint">Click a heatmap cell, a line of the graph, a topic dot
or a theme: the sentences behind it appear here.</p></div>
</aside>
</div>
<script type="application/json" id="report-data">{data}</script>
<script type="application/json" id="report-figures">{figures}</script>
<script>{plotly}</script>
<script>{script}</script>
</body>
</html>
"""


@cache
def resource_text(name: str) -> str:
    """A text file of ``pipeline/resources``."""
    return resources.files("pipeline.resources").joinpath(name).read_text(encoding="utf-8")


@cache
def plotly_bundle() -> str:
    """plotly.js as shipped in the plotly package (the version plotly.py writes for), once
    per process: it is 4.8 MB."""
    return script_text(get_plotlyjs())


def script_json(text: str) -> str:
    """JSON made safe inside a <script> element: every ``<`` becomes ``\\u003c``, so no
    report text can close the element; JSON.parse reads the escape back."""
    return text.replace("<", "\\u003c")


def script_text(code: str) -> str:
    """Script source made safe inside a <script> element (a literal ``</script`` would end it)."""
    return code.replace("</script", "<\\/script")


# --- Header --------------------------------------------------------------------------------

def header_html(data: ReportData, title: str) -> str:
    """Title, one line of corpus counts and run date, and the table of contents."""
    corpus = data.corpus
    levels = {lv: sum(p.level == lv for p in corpus.places) for lv in PLACE_LEVELS}
    years = [y.year for y in corpus.years if y.year is not None]
    span = f"{min(years)}–{max(years)}" if years else "no years"
    parts = [f"{corpus.n_documents} documents", f"{levels['province']} provinces",
             f"{levels['city']} cities", f"{levels['county']} counties", f"years {span}",
             f"{len(corpus.issues)} files not used", f"run {data.run_date.replace('T', ' ')}"]
    toc = "".join(f'<li><a href="#{sid}">{esc(heading)}</a></li>' for sid, heading, _ in SECTIONS)
    return (f'<header id="top"><h1>{esc(title)}</h1>'
            f'<p class="summary">{esc(" · ".join(parts))}</p>'
            f'<nav id="toc" aria-label="Contents"><ol>{toc}</ol></nav></header>')


# --- Figures --------------------------------------------------------------------------------

def build_figures(data: ReportData) -> dict[str, dict]:
    """Every figure of the page as plotly JSON, keyed by the id of the element it fills."""
    figures = {}
    if data.corpus.years:
        figures["years"] = years_figure(data)
    for figure_id, matrix in (("heatmap-problem", data.problem_matrix),
                              ("heatmap-countermeasure", data.countermeasure_matrix)):
        if matrix.cells:
            figures[figure_id] = heatmap_figure(matrix)
    if data.graph.edges:
        figures["graph"] = graph_figure(data.graph)
    if data.prevalence:
        figures["prevalence"] = prevalence_figure(data.prevalence)
    return figures


def heatmap_figure(matrix: PlaceThemeMatrix) -> dict:
    """The place × theme heatmap of ``matrix`` as the page shows it: at most
    MAX_HEATMAP_PLACES rows and MAX_HEATMAP_THEMES columns."""
    return report_figures.heatmap_figure(matrix, MAX_HEATMAP_PLACES, MAX_HEATMAP_THEMES)
