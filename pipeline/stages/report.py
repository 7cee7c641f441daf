"""Report: the self-contained comparison report (``report.html``) every run publishes.

Reads documents, outcomes, units with their themes, the graph, the topic model's
prevalence and the run's starting state; writes ``results: report`` holding the
rendered page (published as ``OUT/report.html``). Keyed by the report's content
(the date and changelog aside), so an unchanged corpus does not render it again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from pipeline.stages import StageContext, StageResult, collecting_less

STAGE = "report"
REPORT_FILE = "report.html"


@dataclass(frozen=True)
class ReportOptions:
    """Settings of the report stage (section ``[report]`` of diaoyan.toml)."""

    title: str = "diaoyan report"  # the page's title and heading


@collecting_less
def run(ctx: StageContext) -> StageResult:
    """Build the report's data from the store and render it when it changed."""
    from pipeline.outputs.report_build import build_report_data
    from pipeline.outputs.report_data import field_json, joined_json

    result = StageResult(STAGE)
    options = ctx.config.options("report", ReportOptions)
    data = build_report_data(ctx.store)
    parts = field_json(data)  # encoded once: for the key and for the page
    content = joined_json({**parts, "run_date": '""', "changelog": "null"})
    key = hashlib.sha256(f"{ctx.version}:{options}:{content}".encode()).hexdigest()[:24]
    if ctx.store.get_result_key("report") == key:
        result.reused = 1
        return result
    from pipeline.outputs.report_html import render_report

    html = render_report(data, title=options.title, data_json=joined_json(parts))
    with ctx.store.transaction():
        ctx.store.put_result("report", key, {"exports": {REPORT_FILE: html},
                                             "documents": data.corpus.n_documents})
    result.processed = 1
    result.notes.append(f"{REPORT_FILE}: {len(html.encode()) / 2**20:.1f} MB")
    return result
