"""The comparison report in a real headless browser: it draws offline, without console
errors, and every way back to the sentences (graph line, table row, heatmap cell, the
``diaoyanShowEdge`` hook) fills the evidence panel.

Uses Debian's ``chromium`` and ``chromium-driver`` through Selenium; skipped when any of
them is missing. One browser and one page load serve the whole module.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from pipeline.outputs.report_example import example_report_data
from pipeline.outputs.report_html import write_report

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--window-size=1440,1000")
READY_SECONDS = 30  # plotly.js is 4.8 MB of script; a busy 2-core machine takes seconds

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and shutil.which(CHROMEDRIVER)),
    reason=f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER})")


@pytest.fixture(scope="module")
def example():
    return example_report_data(30)


@pytest.fixture(scope="module")
def browser(example, tmp_path_factory):
    """A headless Chromium with the example report loaded and drawn."""
    from selenium.webdriver.chrome.service import Service

    folder = tmp_path_factory.mktemp("browser")
    report = write_report(folder / "report.html", example)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={folder / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        driver.get(report.as_uri())
        wait_for(driver, "return document.documentElement.dataset.ready || ''", "true")
        yield driver
    finally:
        driver.quit()


def wait_for(driver, script: str, expected, *args, seconds: float = READY_SECONDS):
    """Poll ``script`` until it returns ``expected``; fail with the last value."""
    deadline = time.monotonic() + seconds
    value = None
    while time.monotonic() < deadline:
        value = driver.execute_script(script, *args)
        if value == expected:
            return value
        time.sleep(0.05)
    pytest.fail(f"{script!r} returned {value!r}, not {expected!r}, within {seconds} s")


def evidence_text(driver) -> str:
    return driver.find_element("id", "evidence").text


def strongest_edge(example):
    return max(example.graph.edges, key=lambda e: (e.weight, e.edge_id))


def test_the_page_logs_no_errors_and_loads_nothing_from_outside(browser):
    severe = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == []
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(r => r.name)")
    assert [url for url in fetched if not url.startswith(("file:", "data:", "blob:"))] == []


@pytest.mark.parametrize("figure_id", ["heatmap-problem", "heatmap-countermeasure", "graph",
                                       "prevalence", "years"])
def test_each_figure_is_drawn_with_a_size(browser, figure_id):
    width, height = browser.execute_script(
        "const svg = document.querySelector('#' + arguments[0] + ' .main-svg');"
        "if (!svg) return [0, 0]; const r = svg.getBoundingClientRect();"
        "return [r.width, r.height];", figure_id)
    assert width > 300 and height > 150


def test_the_show_edge_hook_fills_the_evidence_panel(browser, example):
    edge = strongest_edge(example)
    assert browser.execute_script("return window.diaoyanShowEdge(arguments[0])", edge.edge_id)
    text = evidence_text(browser)
    assert edge.evidence[0].problem_quote in text
    assert edge.evidence[0].countermeasure_quote in text
    assert not browser.execute_script("return window.diaoyanShowEdge('no->such')")


def test_clicking_a_row_of_the_links_table_shows_that_edge(browser, example):
    edge = min(example.graph.edges, key=lambda e: (e.weight, e.edge_id))
    row = browser.find_element("css selector", f'tr.edge[data-edge="{edge.edge_id}"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
    row.click()
    assert edge.evidence[-1].countermeasure_quote in evidence_text(browser)


def clear_evidence(browser) -> None:
    """Empty the panel, so that only the click under test can fill it."""
    browser.execute_script("document.getElementById('evidence-body').replaceChildren()")


def click_at(browser, figure_id: str, x: float, y: float) -> None:
    """A real mouse click at data coordinates (x, y) of a plotly figure."""
    from selenium.webdriver import ActionChains

    div = browser.find_element("id", figure_id)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", div)
    # Pixel offsets from the plot's axes (plotly's own linear-to-pixel maps).
    px, py = browser.execute_script(
        "const layout = arguments[0]._fullLayout, xa = layout.xaxis, ya = layout.yaxis;"
        "return [xa._offset + xa.l2p(arguments[1]), ya._offset + ya.l2p(arguments[2])];",
        div, x, y)
    size = div.size
    ActionChains(browser).move_to_element_with_offset(
        div, px - size["width"] / 2, py - size["height"] / 2).pause(0.2).click().perform()


def test_clicking_a_line_of_the_graph_shows_its_sentences(browser, example):
    edge = strongest_edge(example)
    # The middle invisible hit point of the edge, read from the drawn figure.
    x, y = browser.execute_script(
        "const traces = document.getElementById('graph').data;"
        "for (const t of traces) { const ids = t.customdata || [];"
        "  const at = ids.map((id, i) => id === arguments[0] ? i : -1).filter(i => i >= 0);"
        "  if (at.length) { const i = at[Math.floor(at.length / 2)]; return [t.x[i], t.y[i]]; } }"
        "return null;", edge.edge_id)
    clear_evidence(browser)
    click_at(browser, "graph", x, y)
    wait_for(browser, "return document.getElementById('evidence').innerText.includes(arguments[0])",
             True, edge.evidence[0].problem_quote, seconds=5)


def test_clicking_a_heatmap_cell_shows_its_sentences(browser, example):
    matrix = example.problem_matrix
    cell = max(matrix.cells, key=lambda c: (c.n_docs, c.place, c.theme_id))
    column = [t.theme_id for t in matrix.themes].index(cell.theme_id)
    row = list(matrix.places).index(cell.place)
    clear_evidence(browser)
    click_at(browser, "heatmap-problem", column, row)
    wait_for(browser, "return document.getElementById('evidence').innerText.includes(arguments[0])",
             True, cell.evidence[0].quote, seconds=5)
    assert cell.place in evidence_text(browser)


def test_theme_chips_show_their_sentences_and_the_panel_closes(browser, example):
    chip = browser.find_element("css selector", '[data-evidence="unanswered:0"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", chip)
    chip.click()
    quote = example.unanswered[0].evidence[0].quote
    assert quote in evidence_text(browser)
    browser.find_element("id", "evidence-close").click()
    assert quote not in evidence_text(browser)


def test_choosing_a_topic_shows_its_prevalence(browser, example):
    from selenium.webdriver.support.select import Select

    if len(example.topics) < 2:
        pytest.skip("the example has one topic")
    Select(browser.find_element("id", "prevalence-topic")).select_by_index(1)
    wait_for(browser, "return document.getElementById('prevalence').data.map(t => t.visible)",
             [False, True] + [False] * (len(example.topics) - 2), seconds=5)
    assert example.topics[1].terms[0] in browser.find_element("id", "prevalence-terms").text
