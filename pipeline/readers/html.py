"""Saved web pages: decode by meta charset, keep the article, drop site chrome."""

from __future__ import annotations

import logging
import re

import lxml.html
import trafilatura
from lxml import etree

from pipeline.readers.common import DEFAULT_OPTIONS, ReadError, ReadOptions
from pipeline.readers.text import ENCODING_ALIAS_TABLE, decode_text, detect_bom, looks_utf8

log = logging.getLogger(__name__)

# <meta charset="gb2312"> or <meta http-equiv=Content-Type content="text/html; charset=GBK">
RE_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Always page furniture, never the report (trafilatura's recall mode can keep a
# short page's <nav> links, e.g. "首页 | 新闻中心").
CHROME_TAGS = ("script", "style", "noscript", "template", "nav", "aside")
# Site banner and footer, unless they sit inside the article: <article><header><h1>…
SITE_CHROME_XPATH = (
    "//header[not(ancestor::article or ancestor::main)]"
    "|//footer[not(ancestor::article or ancestor::main)]"
)
# Block-level tags after which a line break belongs in the fallback text.
BLOCK_TAGS = frozenset(
    "p div br li tr h1 h2 h3 h4 h5 h6 table section article blockquote pre dd dt".split()
)
META_SCAN_BYTES = 8192  # browsers look for the charset in the first 1024; be generous


def decode_html(data: bytes, *, options: ReadOptions = DEFAULT_OPTIONS) -> tuple[str, str, tuple]:
    """Decode HTML bytes by BOM, then <meta charset>, then the text detector."""
    if not data.strip():
        raise ReadError("empty file")
    prefix = data[: options.detect_prefix_bytes]
    # Valid multi-byte UTF-8 is almost never an accident, while pages re-saved as
    # UTF-8 often keep a stale <meta charset=gb2312>; trust the bytes over the tag.
    valid_utf8 = not prefix.isascii() and looks_utf8(prefix)
    if detect_bom(data) is None and not valid_utf8:
        match = RE_META_CHARSET.search(data[:META_SCAN_BYTES])
        if match:
            name = match.group(1).decode("ascii", "replace").lower()
            codec = ENCODING_ALIAS_TABLE.get(name, name)
            try:
                text = data.decode(codec, errors="replace")
            except LookupError:
                log.debug("unknown meta charset %r", name)
            else:
                replaced = text.count("\ufffd")
                if replaced / max(len(text), 1) <= options.max_replacement_ratio:
                    warnings = (f"undecodable bytes replaced: {replaced}",) if replaced else ()
                    return text, codec, warnings
                log.debug("meta charset %r does not fit the bytes; detecting", name)
    return decode_text(data, options=options, kind="HTML")


def parse_without_chrome(markup: str) -> lxml.html.HtmlElement | None:
    """Parse a page and drop scripts, styles, navigation and the site header/footer."""
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return None
    chrome = root.xpath("|".join(f"//{tag}" for tag in CHROME_TAGS) + "|" + SITE_CHROME_XPATH)
    for element in chrome:
        if element.getparent() is not None:
            element.drop_tree()
    return root


def html_text(markup: str) -> str:
    """The main text of a page: trafilatura first, lxml body text as the fallback."""
    root = parse_without_chrome(markup)
    if root is None:
        return ""
    extracted = trafilatura.extract(
        root,
        include_tables=True,
        include_comments=False,
        favor_recall=True,
        output_format="txt",
    )
    if extracted and extracted.strip():
        return extracted
    log.debug("trafilatura found nothing; falling back to <body> text")
    root = parse_without_chrome(markup)  # trafilatura edits the tree it is given
    return body_text(root) if root is not None else ""


def body_text(root: lxml.html.HtmlElement) -> str:
    """Text of <body>, one line per block element, blank lines dropped."""
    body = root.find("body")
    parts: list[str] = []
    try:
        collect_text(body if body is not None else root, parts)
    except RecursionError:  # pathologically nested markup
        return ""
    lines = (line.strip() for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def collect_text(node: etree._Element, parts: list[str]) -> None:
    """Append a subtree's text in document order, with line breaks around block elements."""
    if isinstance(node.tag, str):  # comments and processing instructions have no text
        block = node.tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            collect_text(child, parts)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")


def html_title(raw_html: str | bytes) -> str | None:
    """The page's <title> (or trafilatura's title guess), stripped, or None."""
    if isinstance(raw_html, bytes):
        raw_html = decode_html(raw_html)[0]
    try:
        root = lxml.html.document_fromstring(raw_html)
        title = root.findtext(".//title")
    except (etree.ParserError, ValueError):
        title = None
    if title and title.strip():
        return " ".join(title.split())
    metadata = trafilatura.extract_metadata(raw_html)
    return metadata.title if metadata is not None and metadata.title else None


# "某某调研报告 - 某某文档网", "某某调研报告_范文大全_某某网": the page title's site suffix
RE_SITE_SUFFIX = re.compile(r"\s*(?:\s[-–—|｜]\s|_|｜|\|)\s*")


def report_title(page_title: str | None) -> str | None:
    """The report's own title from a page <title>: the first part before a site suffix."""
    if not page_title:
        return None
    head = RE_SITE_SUFFIX.split(page_title.strip())[0].strip()
    return head or None


def read_html(
    data: bytes, *, options: ReadOptions = DEFAULT_OPTIONS
) -> tuple[str, str, tuple, str | None]:
    """Return (main text, codec, warnings, report title from <title>) of a saved web page."""
    markup, codec, warnings = decode_html(data, options=options)
    text = html_text(markup)
    if not text.strip():
        raise ReadError("HTML page has no text")
    return text, codec, warnings, report_title(html_title(markup))
