"""Full-page PNG screenshots of a diaoyan report, taken with headless Chromium.

    .venv/bin/python scripts/screenshot_report.py OUT            # OUT/report.html
    .venv/bin/python scripts/screenshot_report.py path/to/report.html
    .venv/bin/python scripts/screenshot_report.py /tmp/demo --example 30

Writes ``screenshots/`` beside the report: ``page.png`` (the whole page), one PNG per
section (``overview.png``, ``links.png``…) and ``evidence.png`` (the window after the
strongest graph edge was opened in the evidence panel). ``--example N`` first writes a
report of N invented documents to ``OUT/report.html``. Needs Debian's ``chromium`` and
``chromium-driver`` (and ``fonts-noto-cjk`` for Chinese) and the ``selenium`` package;
nothing is downloaded. Prints the files written, one a line.
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--hide-scrollbars",
)
SECTION_IDS = ("overview", "problem-themes", "countermeasure-themes", "links", "topics",
               "distinctive", "unanswered", "changelog")
READY_SECONDS = 30


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, write the example report if asked, take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="an output folder or a report .html file")
    parser.add_argument("--example", type=int, metavar="N",
                        help="first write a report of N invented documents")
    parser.add_argument("--width", type=int, default=1440, help="window width in pixels")
    args = parser.parse_args(argv)
    report = args.target if args.target.suffix == ".html" else args.target / "report.html"
    if args.example:
        from pipeline.outputs.report_example import example_report_data
        from pipeline.outputs.report_html import write_report

        write_report(report, example_report_data(args.example),
                     title=f"diaoyan report (example, {args.example} documents)")
    if not report.is_file():
        parser.error(f"no report at {report}")
    for path in take_screenshots(report, report.parent / "screenshots", width=args.width):
        print(path)
    return 0


def open_browser(user_data_dir: Path, width: int, height: int = 1000):
    """Headless Debian Chromium through chromedriver, browser console logs kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def wait_until_drawn(driver) -> None:
    """Wait for the page script to mark every figure drawn (html[data-ready])."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        state = driver.execute_script("return document.documentElement.dataset.ready || ''")
        if state == "true":
            return
        if state == "error":
            raise RuntimeError("the report says a figure failed to draw")
        time.sleep(0.1)
    raise TimeoutError(f"figures not drawn within {READY_SECONDS} s")


def hide_toolbars(driver) -> None:
    """Hide plotly's tool bars: a browser without a mouse shows them over the figures, where
    a reader's browser shows them only under the pointer."""
    driver.execute_script(
        "const style = document.createElement('style');"
        "style.textContent = '.modebar-container { display: none !important; }';"
        "document.head.append(style);")


def capture(driver, path: Path, clip: dict | None = None) -> Path:
    """Save a PNG of ``clip`` (page coordinates), or of the whole page when None."""
    if clip is None:
        size = driver.execute_script(
            "const e = document.documentElement;"
            "return [e.scrollWidth, Math.max(e.scrollHeight, document.body.scrollHeight)];")
        clip = {"x": 0, "y": 0, "width": size[0], "height": size[1]}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "clip": {**clip, "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def element_clip(driver, element_id: str) -> dict | None:
    """The page rectangle of the element with ``element_id``, or None when absent."""
    return driver.execute_script(
        "const e = document.getElementById(arguments[0]); if (!e) return null;"
        "const r = e.getBoundingClientRect();"
        "return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height};",
        element_id)


def take_screenshots(report: Path, out_dir: Path, *, width: int = 1440) -> list[Path]:
    """Screenshots of the whole page, of each section, and of an opened edge's evidence."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="diaoyan-chromium-") as profile:
        driver = open_browser(Path(profile), width)
        try:
            driver.get(report.resolve().as_uri())
            wait_until_drawn(driver)
            hide_toolbars(driver)
            written = [capture(driver, out_dir / "page.png")]
            for section_id in SECTION_IDS:
                clip = element_clip(driver, section_id)
                if clip:
                    written.append(capture(driver, out_dir / f"{section_id}.png", clip))
            written.append(capture_evidence(driver, out_dir / "evidence.png"))
        finally:
            driver.quit()
    return written


def capture_evidence(driver, path: Path) -> Path:
    """The window at the graph after the strongest edge was opened in the evidence panel."""
    driver.execute_script(
        "const edges = JSON.parse(document.getElementById('report-data').textContent).graph.edges;"
        "edges.sort((a, b) => b.weight - a.weight);"
        "if (edges.length) window.diaoyanShowEdge(edges[0].source + '->' + edges[0].target);"
        "document.getElementById('links').scrollIntoView();")
    time.sleep(0.3)  # let the scroll settle before the window is captured
    path.write_bytes(driver.get_screenshot_as_png())
    return path


if __name__ == "__main__":
    sys.exit(main())
