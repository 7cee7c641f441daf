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
from pipeline.text.titles import line_kind, locate_title, normalise_title
from pipeline.text.vocab import CN_DIGITS, CN_NUM, HAN_BASIC

log = logging.getLogger(__name__)

# Marker line our synthetic sample corpus starts with: 【合成样例】本文为 diaoyan 自拟的示例报告…
RE_SAMPLE_MARKER = re.compile(r"^\s*【\s*合成样例\s*】")

# Site chrome the cleaner may have missed: 当前位置:首页 > …, 欢迎访问….
RE_CHROME_LINE = re.compile(r"当前位置|欢迎访问|首页\s*[>＞]")

# Labelled author lists: 作者：张三 李四, （执笔：王五）, 课题组成员：赵六、钱七.
RE_AUTHOR_LABEL = re.compile(
    r"^[（(]?\s*(?:作\s*者|执\s*笔人?|撰\s*稿人?|课题组成员|调研组成员|课题组长|调研组长|成\s*员)"
    r"\s*[：:]\s*(?P<names>[^）)]+)[）)]?\s*$"
)

# Organisation words: a line holding them names a body, not people (市委组织部课题组).
RE_ORG_WORD = re.compile(
    r"部|委|局|办|组|会|院|所|中心|课题|学校|大学|公司|单位|政府|机关|处|厅|科"
)

# A line made only of CJK names and separators: 王 五  赵 六  钱 七 / 张三、李四.
RE_NAME_LINE = re.compile(rf"^[{HAN_BASIC}·\s、，,；;]+$")

# Separators between names: punctuation or a run of 2+ spaces (王 五  赵 六).
RE_NAME_SEPARATOR = re.compile(r"[、，,；;]|\s{2,}|\u3000")

# Common single and compound surnames; a name must start with one of them.
SURNAME_TABLE = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱"
    "严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁"
    "尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时"
    "穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾"
    "隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮"
    "粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬"
    "来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎"
)
COMPOUND_SURNAME_TABLE = frozenset(["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙",
                                    "慕容", "令狐", "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木"])

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
# A date at the end of an author line: 张三 李四 2021年6月.
RE_DATE_TAIL = re.compile(
    rf"[\s（(]*(?:(?:19|20)\d{{2}}|[一二][{CN_YEAR_DIGITS}]{{3}})\s*年.*$"
)
# Context before a year that makes it a target, not a date: 到2025年, 力争2030年.
RE_TARGET_BEFORE = re.compile(r"(?:到|至|力争|预计|远景|展望|计划)\s*$")
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


def _is_name(token: str) -> bool:
    """A 2-4 char CJK token starting with a known surname."""
    if not 2 <= len(token) <= 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in token):
        return False
    return token[0] in SURNAME_TABLE or token[:2] in COMPOUND_SURNAME_TABLE


def parse_names(line: str) -> tuple[str, ...]:
    """Personal names on an author line, or () if the line is not one.

    Names are split at 、，；, or at runs of 2+ spaces.  When only single spaces occur
    and every token is one character ("王 五 赵 六 钱 七"), the characters are paired
    into 2-char names if their count is even; three lone characters form one name.
    """
    line = RE_DATE_TAIL.sub("", line).strip()
    if not line or not RE_NAME_LINE.match(line) or RE_ORG_WORD.search(line):
        return ()
    if RE_NAME_SEPARATOR.search(line):
        names = [re.sub(r"\s", "", part) for part in RE_NAME_SEPARATOR.split(line)]
    else:
        tokens = line.split()
        if len(tokens) > 1 and all(len(t) == 1 for t in tokens):
            if len(tokens) % 2 == 0:
                names = ["".join(tokens[i : i + 2]) for i in range(0, len(tokens), 2)]
            else:
                names = ["".join(tokens)] if len(tokens) == 3 else []
        else:
            names = tokens
    names = [n for n in names if n]
    return tuple(names) if names and all(_is_name(n) for n in names) else ()


def find_authors(lines: list[str], title_line: int | None, *,
                 options: MetadataOptions = MetadataOptions()) -> tuple[str, ...]:
    """Authors from a labelled line (作者：…) or a bare name line after the title (or the top)."""
    start = title_line + 1 if title_line is not None else 0
    for line in lines[start : start + options.author_scan_lines]:
        labelled = RE_AUTHOR_LABEL.match(line)
        if labelled:
            names = parse_names(labelled.group("names"))
            if names:
                return names
        elif len(line) <= options.max_author_line_chars:
            names = parse_names(line)
            if names:
                return names
    return ()


def _year_in_range(year: int, options: MetadataOptions) -> bool:
    return options.min_year <= year <= options.max_year


def find_year(text: str, title: str | None, *,
              options: MetadataOptions = MetadataOptions()) -> int | None:
    """The report's year: from the title, else a date line, else the latest body year.

    Body years count only with 年 after them (2017年以来) and not as targets (到2025年);
    the latest such year is taken, since reports cite the past up to their own time.
    """
    if title:
        for match in RE_TITLE_YEAR.finditer(title):
            if _year_in_range(int(match.group(1)), options):
                return int(match.group(1))
    lines = _lines(text)
    for line in lines[:8] + lines[-5:]:
        if RE_DATE_ONLY_LINE.match(line):
            digits = line.translate(CHINESE_DIGIT_TABLE)
            match = re.search(r"(?:19|20)\d{2}", digits)
            if match and _year_in_range(int(match.group()), options):
                return int(match.group())
    years = []
    for match in [*RE_YEAR.finditer(text), *RE_CHINESE_YEAR.finditer(text)]:
        if RE_TARGET_BEFORE.search(text, max(0, match.start() - 6), match.start()):
            continue
        year = int(match.group(1).translate(CHINESE_DIGIT_TABLE))
        if _year_in_range(year, options):
            years.append(year)
    return max(years) if years else None


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
        authors=find_authors(lines, found.last_line if found else None, options=options),
        placeholders=has_placeholders(text),
    )
    log.debug("metadata of %s: %s", source_name or "<text>", metadata)
    return metadata
