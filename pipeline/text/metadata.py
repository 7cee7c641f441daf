"""Read a report's metadata off its cleaned text: title, authors, year, placeholders, region.

Input is cleaned simplified text (lines joined by "\\n", full-width punctuation).  Every
rule looks only at the text, so it runs the same on any source format.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from pipeline.analysis.gazetteer import RegionOptions
from pipeline.analysis.places import resolve_region
from pipeline.records import Metadata
from pipeline.text.authors import RE_TEAM_LINE, find_authors, parse_names
from pipeline.text.names import COMPOUND_SURNAME_TABLE, SURNAME_TABLE
from pipeline.text.titles import RE_FILE_NAME, line_kind, locate_title, normalise_title
from pipeline.text.vocab import CN_DIGITS, CN_NUM, HAN_BASIC

log = logging.getLogger(__name__)

# Re-exported: names and author lines live in pipeline.text.names / pipeline.text.authors.
__all__ = ["COMPOUND_SURNAME_TABLE", "SURNAME_TABLE", "MetadataOptions", "extract_metadata",
           "find_authors", "find_title", "find_year", "has_placeholders", "parse_names",
           "title_from_hint"]

# Marker line our synthetic sample corpus starts with: 【合成样例】本文为 diaoyan 自拟的示例报告…
RE_SAMPLE_MARKER = re.compile(r"^\s*【\s*合成样例\s*】")

# Site chrome the cleaner may have missed: 当前位置:首页 > …, 欢迎访问….
RE_CHROME_LINE = re.compile(r"当前位置|欢迎访问|首页\s*[>＞]")

# A year written as digits with 年 after it: 2021年, 2017 年以来.
RE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# A year in a title, 年 optional: 2021年度…, 2021…调研报告.
RE_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# Digits a year is written with in Chinese: 二〇二一, 二零二一, 二○二一.
CN_YEAR_DIGITS = "〇零○Ｏ" + CN_DIGITS[1:]
# A year in Chinese digits: 二〇二一年.
RE_CHINESE_YEAR = re.compile(rf"([一二][{CN_YEAR_DIGITS}]{{3}})\s*年")
# A line that is only a date: 2021年6月 / 二〇二一年六月十日.
RE_DATE_ONLY_LINE = re.compile(
    rf"^\s*[（(]?\s*(?:(?:19|20)\d{{2}}|[一二][{CN_YEAR_DIGITS}]{{3}})\s*年"
    rf"(?:\s*[\d{CN_NUM}]{{1,3}}\s*月)?(?:\s*[\d{CN_NUM}]{{1,3}}\s*日)?\s*[)）]?\s*$"
)
# Context before a year that makes it a target, not a date: 到2025年, 力争2030年.
RE_TARGET_BEFORE = re.compile(r"(?:到|至|力争|预计|远景|展望|计划|截至|截止)\s*$")
# A date line of the report itself: the speech's subtitle (——2021年7月29日在某市人大常委会
# 第四十一次会议上), a notice's date ((二〇一九年十二月三十日公告)).
RE_DATED_MEETING_LINE = re.compile(
    rf"^[—–\-－―─~～\s]*((?:19|20)\d{{2}}|[一二][{CN_YEAR_DIGITS}]{{3}})\s*年?"
    rf"[\d{CN_NUM}〇零\s月日]{{0,12}}在.{{0,80}}(?:(?:会议|大会|会)上|届$)"
)
RE_DATED_NOTICE_LINE = re.compile(
    rf"^[（(]\s*((?:19|20)\d{{2}}|[一二][{CN_YEAR_DIGITS}]{{3}})\s*年"
    rf"[\d{CN_NUM}〇零\s月日]{{0,12}}(?:公告|发布|印发|通过|修订)?\s*[)）]$"
)
# A statement of the survey's own dates: 2021年7月，调研组走访了…; 调研时间为2015年11月.
RE_SURVEY_WORD = re.compile(r"调研|调查|走访|座谈|问卷|考察")
RE_SENTENCE_SPLIT = re.compile(r"[。！？!?；;\n]")
# What after a year makes it a span or a point of reference, not the survey's date:
# 2016年以来, 2015年末, 2018年底, 2020年前; or a file name's year prefix (2022年关于…).
RE_NOT_SURVEY_AFTER = re.compile(
    rf"(?:\s*[\d{CN_NUM}]{{1,3}}\s*月)?(?:\s*[\d{CN_NUM}]{{1,3}}\s*日)?\s*"
    r"(?:以来|来|末|底|初|前|以前|之前|后|以后|起|关于)"
)
# A page's metadata naming a public body as the source, and the page's publication date.
RE_OFFICIAL_SOURCE = re.compile(
    rf"(?:来源|信息来源|发布机构|发文机关)\s*[：:|\s]*[{HAN_BASIC}]{{2,20}}?"
    r"(?:人民政府|政府|局|委员会|办公室|厅|人大常委会)"
)
RE_PUBLICATION_DATE = re.compile(
    r"(?:发布日期|成文日期|发文日期|发布时间)\s*[：:|\s]*((?:19|20)\d{2})\s*[-/.年]"
)
CHINESE_DIGIT_TABLE = str.maketrans(CN_YEAR_DIGITS, "0000123456789")

# Anonymised placeholders next to CJK or %: X县, XX乡, ×××同志, **%, “**”, 某某, 某县, ○○村
# (某乡镇 is plain usage, "a township", and is not counted).
RE_PLACEHOLDER = re.compile(
    rf"(?<![A-Za-z0-9])[XＸ×xｘ]{{1,3}}(?=[{HAN_BASIC}%％])"
    rf"|(?<=[{HAN_BASIC}])[XＸ×]{{1,3}}(?![A-Za-z0-9])"
    rf"|[*＊]{{2,}}(?=[{HAN_BASIC}%％”’])|(?<=[{HAN_BASIC}“‘])[*＊]{{2,}}"
    rf"|某某|某(?:县|市|乡(?!镇)|镇|村|区|州|省|局|单位|公司|企业|同志)|[○〇]{{2,}}(?=[{HAN_BASIC}])"
)


@dataclass(frozen=True)
class MetadataOptions:
    """Tunables of ``extract_metadata``."""

    title_scan_lines: int = 20  # non-empty opening lines looked at for a title
    max_title_chars: int = 60  # a longer line is a title only if it ends like one (…报告)
    bare_title_chars: int = 40  # a first line without a cue word may be a title up to this
    author_scan_lines: int = 5  # lines after the title (or the top) looked at for authors
    max_author_line_chars: int = 40  # longer lines are not author lines
    min_year: int = 1990
    max_year: int = 2035
    region: RegionOptions = field(default_factory=RegionOptions)


def _lines(text: str) -> list[str]:
    """Non-empty stripped lines, without the synthetic-sample marker line."""
    return [ln.strip() for ln in text.split("\n") if ln.strip()
            and not RE_SAMPLE_MARKER.match(ln) and not RE_CHROME_LINE.search(ln)]


def find_title(lines: list[str], *, options: MetadataOptions = MetadataOptions()) -> str | None:
    """The report's own title among its opening lines (see :mod:`pipeline.text.titles`)."""
    found = locate_title(lines, scan_lines=options.title_scan_lines,
                         max_chars=options.max_title_chars, bare_chars=options.bare_title_chars)
    return found.title if found else None


def title_from_hint(title_hint: str | None, *,
                    options: MetadataOptions = MetadataOptions()) -> str | None:
    """A title known from outside the text (a page's <title>), unless it is chrome or a bare
    genre word (首页, 调研报告, 当前位置…) or reads as a sentence."""
    if not title_hint or not title_hint.strip():
        return None
    if line_kind(title_hint.strip(), options.max_title_chars) in ("chrome", "subtitle", "body"):
        return None
    return normalise_title(title_hint) or None


def _year_in_range(year: int, options: MetadataOptions) -> bool:
    return options.min_year <= year <= options.max_year


def find_year(text: str, title: str | None, *,
              options: MetadataOptions = MetadataOptions()) -> int | None:
    """The report's year: from its title, else its own date line, else its survey's dates.

    Date lines: a line that is only a date (2021年6月, 二〇二一年六月十日) or a team's line
    ending in one, a speech's subtitle (——2021年7月29日在…会议上), a notice's date, among
    the opening and closing lines. Survey dates: the first year in a sentence about the
    survey (2021年7月，调研组走访…), not a span or point of reference (2016年以来, 2015年末).
    A year merely named in the body, and a page's posting or comment time stamp
    (2018年8月17日23:55:20, 时间：2022-06-19 12:10), are not the report's year.
    """
    if title:
        for match in RE_TITLE_YEAR.finditer(title):
            if _year_in_range(int(match.group(1)), options):
                return int(match.group(1))
    lines = _lines(text)
    scanned = [(line, index < 12) for index, line in enumerate(lines[:25])]
    for line, date_only in scanned + [(line, True) for line in lines[-5:]]:
        year = _date_line_year(line, date_only=date_only)
        if year is not None and _year_in_range(year, options):
            return year
    year = official_page_year(lines[:12])
    if year is not None and _year_in_range(year, options):
        return year
    return survey_year(text, options=options)


def official_page_year(lines: list[str]) -> int | None:
    """The publication year on a public body's own page: its metadata names the body as
    the source (来源：某市统计局, 发布机构：某区审计局) and gives a publication date
    (发布日期：2019-05-05); a third-party site's posting time (时间：…, 来源：党建材料) is not."""
    opening = "\n".join(lines)
    if not RE_OFFICIAL_SOURCE.search(opening):
        return None
    match = RE_PUBLICATION_DATE.search(opening)
    return int(match.group(1)) if match else None


def _as_year(digits: str) -> int:
    return int(digits.translate(CHINESE_DIGIT_TABLE))


def _date_line_year(line: str, *, date_only: bool = True) -> int | None:
    """The year of a date line of the report itself (see :func:`find_year`), else None;
    a line that is only a date counts near the top or the end (``date_only``)."""
    if date_only and RE_DATE_ONLY_LINE.match(line):
        match = re.search(r"(?:19|20)\d{2}", line.translate(CHINESE_DIGIT_TABLE))
        return int(match.group()) if match else None
    for pattern in (RE_DATED_MEETING_LINE, RE_DATED_NOTICE_LINE):
        match = pattern.match(line)
        if match:
            return _as_year(match.group(1))
    team = RE_TEAM_LINE.match(line.strip())
    if team and team.end("team") < len(line.strip()):
        match = re.search(r"(?:19|20)\d{2}", line.translate(CHINESE_DIGIT_TABLE))
        return int(match.group()) if match else None
    return None


def survey_year(text: str, *, options: MetadataOptions = MetadataOptions()) -> int | None:
    """The first year stated as the survey's own date (see :func:`find_year`), else None."""
    for sentence in RE_SENTENCE_SPLIT.split(text):
        if not RE_SURVEY_WORD.search(sentence) or RE_FILE_NAME.search(sentence):
            continue
        for match in sorted([*RE_YEAR.finditer(sentence), *RE_CHINESE_YEAR.finditer(sentence)],
                            key=lambda m: m.start()):
            if (RE_TARGET_BEFORE.search(sentence, max(0, match.start() - 6), match.start())
                    or RE_NOT_SURVEY_AFTER.match(sentence, match.end())):
                continue
            year = _as_year(match.group(1))
            if _year_in_range(year, options):
                return year
    return None


def has_placeholders(text: str) -> bool:
    """Whether the text holds anonymised placeholders such as X县, ×××, **%, 某某."""
    return RE_PLACEHOLDER.search(text) is not None


def extract_metadata(text: str, *, title_hint: str | None = None, source_name: str = "",
                     options: MetadataOptions = MetadataOptions()) -> Metadata:
    """Title, region, year, authors and placeholder flag of one cleaned report text.

    The report's own title line wins; ``title_hint`` (a web page's <title>, a title read
    off site chrome) is used only when the text has none.
    """
    lines = _lines(text)
    found = locate_title(lines, scan_lines=options.title_scan_lines,
                         max_chars=options.max_title_chars, bare_chars=options.bare_title_chars)
    hint = title_from_hint(title_hint, options=options)
    title = found.title if found else hint or None
    metadata = Metadata(
        title=title,
        region=resolve_region(text, title=title, options=options.region),
        year=find_year(text, title, options=options),
        authors=find_authors(lines, found.last_line if found else None,
                             scan_lines=options.author_scan_lines,
                             max_line_chars=options.max_author_line_chars),
        placeholders=has_placeholders(text),
    )
    log.debug("metadata of %s: %s", source_name or "<text>", metadata)
    return metadata
