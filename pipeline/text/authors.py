"""Who wrote or delivered a report, read off the opening lines of its cleaned text.

Classes, in the order they win:

* a labelled byline: 作者：…, （执笔：…）, 执笔人：…, 文/…, 课题组成员：…, also after the
  team's name on one line (…调研组执笔：…) and in a page's metadata row (作者：… 来源：…);
* the speaker of a speech or the official who reports: an office followed by a name
  (省长 某某, 某区人民政府区长 某某, 某市审计局局长 某某, 某某同志), on its own line or after
  the subtitle on the same line (——…在…会议上 某省省长某某) — the one detector of
  :func:`pipeline.text.titles.byline_name`. The name starts with a known surname, unless
  its place vouches for it: set apart from the office by a space, or right under the
  speech's subtitle or date line;
* a line of names under the title (张三 李四), or names over their affiliations
  (（1.某某大学…，某市100000）) with most names starting with a known surname;
* a research team as a corporate author (某县委组织部课题组, 某局调研组 2021年6月) when
  no person is named.

A name is never a title or a place: titles' endings, place and body suffixes are refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.text.names import has_known_surname
from pipeline.text.titles import RE_SUBTITLE_LINE, byline_name, is_page_field, line_kind
from pipeline.text.vocab import HAN_BASIC

# Labelled author lists: 作者：张三 李四, （执笔：王五）, 课题组成员：赵六、钱七, 文/孙八.
RE_AUTHOR_LABEL = re.compile(
    r"^[（(【\[]?\s*(?:作\s*者|执\s*笔人?|撰\s*稿人?|撰\s*文|报告人|课题组成员|调研组成员"
    r"|课题组长|调研组长|课题负责人|成\s*员)\s*[：:]\s*(?P<names>[^）)】\]]+)[）)】\]]?\s*$"
    r"|^文\s*[/／|｜]\s*(?P<names2>.+)$"
)
# The same label after a team's name on one line: 某县政协调研组执笔：张三李四.
RE_INNER_AUTHOR_LABEL = re.compile(r"(?:执\s*笔人?|撰\s*稿人?|作\s*者)\s*[：:]\s*(?P<names>.+)$")
# The next field of a page's metadata row after 作者：… (来源：, 时间：, 阅读：…).
RE_NEXT_FIELD = re.compile(
    r"\s*(?:来源|时间|发布|发表|日期|阅读|浏览|点击|编辑|责任编辑|字号|字体|访问)"
)

# Organisation words: a line holding them names a body, not people (市委组织部课题组).
RE_ORG_WORD = re.compile(
    r"部|委|局|办|组|会|院|所|中心|课题|学校|大学|公司|单位|政府|机关|处|厅|科"
)

# A line made only of CJK names and separators: 王 五  赵 六  钱 七 / 张三、李四.
RE_NAME_LINE = re.compile(rf"^[{HAN_BASIC}·\s、，,；;]+$")

# Separators between names: punctuation or a run of 2+ spaces (王 五  赵 六).
RE_NAME_SEPARATOR = re.compile(r"[、，,；;]|\s{2,}|\u3000")

# A date at the end of an author line: 张三 李四 2021年6月, （二〇二一年六月）.
RE_DATE_TAIL = re.compile(
    r"[\s（(]*(?:(?:19|20)\d{2}|[一二][〇零○Ｏ一二三四五六七八九]{3})\s*年.*$"
)

# Affiliations under a line of names: （1.某某大学经济学院，某省某市100000；2.…）.
RE_AFFILIATION_LINE = re.compile(
    r"^[（(]\s*\d?.{0,60}?(?:大学|学院|学校|研究院|研究所|研究中心|党校|中心|委员会|委|局|厅|部"
    r"|政府|公司|\d{6})"
)

# A research team under the title: 某县委组织部课题组, 某局调研组（2021年6月）.
RE_TEAM_LINE = re.compile(
    rf"^(?P<team>[{HAN_BASIC}“”\"（）()·]{{2,40}}?(?:课题组|调研组|调查组|调研小组|调研课题组"
    r"|课题调研组|调研小分队))\s*(?:[（(]?\s*(?:(?:19|20)\d{2}|[一二][〇零○Ｏ一二三四五六七八九]{3})"
    r"\s*年[^）)]{0,8}[）)]?)?$"
)

# A subtitle glued before the speaker: …在某省第十四届人民代表大会第四次会议上某省省长某某.
RE_MEETING_PREFIX = re.compile(r"^.{0,80}?(?:会议上|大会上|会上)\s*(?=\S)")
# A date line above the speaker: 2023年9月28日.
RE_DATE_LINE = re.compile(
    r"^[—–\-－―─]*\s*[（(]?\s*(?:(?:19|20)\d{2}|[一二][〇零○Ｏ一二三四五六七八九]{3})\s*年"
    r"[\d一二三四五六七八九十〇零]{0,3}月?[\d一二三四五六七八九十〇零]{0,3}日?\s*[)）]?$"
)
# A name letter-spaced after its office: 某市市长 龚 正 → 龚正.
RE_SPACED_NAME = re.compile(rf"(?<=\s)([{HAN_BASIC}])[ \u3000]([{HAN_BASIC}])"
                            rf"(?:[ \u3000]([{HAN_BASIC}]))?$")
# What a name does not end with: places, bodies, titles' and meeting words.
RE_NOT_A_NAME = re.compile(
    r"(?:省|市|县|区|镇|乡|村|州|旗|盟|局|委|办|组|会|处|科|院|所|厅|部|报告|讲话|致辞|助理"
    r"|主持|发言|工作|同志)$"
)

# Lines looked at for a speaker: the opening up to the first body line after the title.
SPEAKER_SCAN_LINES = 25


def find_authors(lines: Sequence[str], title_line: int | None, *, scan_lines: int = 5,
                 max_line_chars: int = 40) -> tuple[str, ...]:
    """The authors of a report from its opening lines (see the module docstring)."""
    start = title_line + 1 if title_line is not None else 0
    below_title = list(lines[start : start + scan_lines])
    opening = list(lines[: max(start + scan_lines, 8)])
    return (labelled_authors(opening)
            or speaker(lines, title_line)
            or name_line(below_title, max_line_chars)
            or affiliated_names(opening)
            or team_author(below_title))


def labelled_authors(lines: Sequence[str]) -> tuple[str, ...]:
    """Names after a byline label: 作者：…, （执笔：…）, 文/…, …调研组执笔：…."""
    for line in lines:
        match = RE_AUTHOR_LABEL.match(line)
        names = match.group("names") or match.group("names2") if match else None
        if names is None:
            inner = RE_INNER_AUTHOR_LABEL.search(line)
            if inner is None:
                continue
            names = inner.group("names")
        names = RE_NEXT_FIELD.split(names, maxsplit=1)[0].rstrip("）)】] ")
        found = _mostly_names(_split_names(names)) or glued_names(names)
        if found:
            return found
    return ()


def _mostly_names(names: list[str]) -> tuple[str, ...]:
    """Names whose place vouches for them (after a label, over affiliations): each of 2-4
    characters, most starting with a known surname (rare surnames are many)."""
    if (names and all(2 <= len(n) <= 4 for n in names)
            and 2 * sum(has_known_surname(n) for n in names) > len(names)):
        return tuple(names)
    return ()


def speaker(lines: Sequence[str], title_line: int | None) -> tuple[str, ...]:
    """The speaker of a speech or the official who reports: office + name."""
    after_subtitle = False
    for index, line in enumerate(lines[:SPEAKER_SCAN_LINES]):
        kind = line_kind(line, 60)
        name = speaker_on_line(line, after_subtitle=after_subtitle)
        if name:
            return (name,)
        if kind == "body" and (title_line is None or index > title_line):
            break
        if not is_page_field(line):
            after_subtitle = kind == "subtitle" or bool(RE_DATE_LINE.match(line))
    return ()


def speaker_on_line(line: str, *, after_subtitle: bool = False) -> str | None:
    """The name on a speaker line (某省省长 某某), else None; see the module docstring."""
    text = line.strip()
    glued = RE_MEETING_PREFIX.match(text)
    if glued and RE_SUBTITLE_LINE.search(glued.group().strip()):
        text, after_subtitle = text[glued.end() :], True
    text = RE_SPACED_NAME.sub(lambda m: "".join(g for g in m.groups() if g), text)
    name = byline_name(text)
    if name:
        return name if not RE_NOT_A_NAME.search(name) else None
    name = byline_name(text, known_surname=False)
    if name is None or RE_NOT_A_NAME.search(name):
        return None
    set_apart = re.search(rf"\s{re.escape(name)}(?:\s*同志)?$", text) is not None
    return name if after_subtitle or set_apart else None


def _is_name(token: str) -> bool:
    """A 2-4 char CJK token starting with a known surname."""
    if not 2 <= len(token) <= 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in token):
        return False
    return has_known_surname(token)


def _split_names(line: str) -> list[str]:
    """A name line split into names (see :func:`parse_names`); [] if it is not one."""
    line = RE_DATE_TAIL.sub("", line).strip()
    if not line or not RE_NAME_LINE.match(line) or RE_ORG_WORD.search(line):
        return []
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
    return [n for n in names if n]


def parse_names(line: str) -> tuple[str, ...]:
    """Personal names on an author line, or () if the line is not one.

    Names are split at 、，；, or at runs of 2+ spaces.  When only single spaces occur
    and every token is one character ("王 五 赵 六 钱 七"), the characters are paired
    into 2-char names if their count is even; three lone characters form one name.
    """
    names = _split_names(line)
    return tuple(names) if names and all(_is_name(n) for n in names) else ()


def glued_names(text: str) -> tuple[str, ...]:
    """Names written without separators after a label (张三李四王五): the one way to cut
    the run into 2-3 character names that all start with a known surname, else ()."""
    text = re.sub(r"\s", "", RE_DATE_TAIL.sub("", text))
    if not 4 <= len(text) <= 15 or not re.fullmatch(rf"[{HAN_BASIC}]+", text):
        return ()
    cuts: list[tuple[str, ...]] = []

    def cut(rest: str, done: tuple[str, ...]) -> None:
        if not rest:
            cuts.append(done)
            return
        for size in (2, 3):
            piece = rest[:size]
            if len(piece) == size and has_known_surname(piece):
                cut(rest[size:], (*done, piece))

    cut(text, ())
    return cuts[0] if len(cuts) == 1 and len(cuts[0]) >= 2 else ()


def name_line(lines: Sequence[str], max_line_chars: int) -> tuple[str, ...]:
    """Names on a bare line under the title: 张 三  李 四."""
    for line in lines:
        if len(line) <= max_line_chars:
            names = parse_names(line)
            if names:
                return names
    return ()


def affiliated_names(lines: Sequence[str]) -> tuple[str, ...]:
    """Names over their affiliations (罗某某，自某某，江 某 / （1.某某学院，…661100）):
    most, not all, names start with a known surname (rare surnames are many)."""
    for line, below in zip(lines, lines[1:], strict=False):
        names = _split_names(line)
        if len(names) >= 2 and RE_AFFILIATION_LINE.match(below) and _mostly_names(names):
            return tuple(names)
    return ()


def team_author(lines: Sequence[str]) -> tuple[str, ...]:
    """A research team under the title as the corporate author: 某县委组织部课题组."""
    for line in lines:
        match = RE_TEAM_LINE.match(line.strip())
        if match:
            return (match.group("team"),)
    return ()
