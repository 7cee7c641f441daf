"""Find a report's own title among the first lines of its cleaned text.

The opening of a real report is crowded: site chrome the cleaner kept (breadcrumbs,
metadata fields and table rows such as 效力状态：有效 文号：…, page widgets, bullets, 小编
boilerplate), conversion artefacts (PAGE, 1-), a bulletin number, a meeting-document label,
a bare genre word, the subtitle (——…在…会议上), the speaker or byline (区长 某某, …同志)
and the authors. ``locate_title`` skips those, joins a title wrapped over two or three
lines, undoes letter spacing (政 府 工 作 报 告), strips site decorations (（范文推荐）), a
blog's post stamp and comment status, a collection's header (第一篇 … 参考1500字) and the
numbering of several reports on one page (…调查报告1), prefers a later, fuller title over
an earlier short one, and the report's own title below a web page's metadata over the
page's headline above it. A report without a title line gets None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.text.names import has_known_surname
from pipeline.text.outline import read_marker  # one notion of "heading marker"
from pipeline.text.patterns import RE_SPACES, sub_tail
from pipeline.text.vocab import HAN_BASIC

# Words that make a short line look like a title: …调研报告, 关于…的思考, …对策研究.
RE_TITLE_CUE = re.compile(r"调研|报告|调查|关于.{1,40}的|思考|对策|研究|建议|分析|探析|浅析|探索")

# How a title ends; a title line without such an ending may go on on the next line.
RE_TITLE_END = re.compile(
    r"(?:报告|调研|研究|思考|对策|建议|分析|探析|浅析|探索|调查|情况|意见|方案|总结|启示|路径|"
    r"问题|现状|做法|经验|讲话|发言|纪要|通知|通报|公告|决定|决议|规划|计划|实践)$"
)
# A line ending in a connective goes on on the next line: 关于…财政收支的 / 审计工作报告.
RE_TITLE_OPEN_END = re.compile(r"[的和与及、，暨或之对在]$")

# A title glued to the first sentence: 关于农村饮水安全调研报告近年来…
RE_GLUED_TITLE = re.compile(r"^(关于.{2,40}?(?:调研报告|调查报告|研究报告|报告))(?=\S)")

# Sentence-final punctuation at a line's end, or a full stop inside it: body text.
RE_LINE_ENDS_SENTENCE = re.compile(r"[。！？；…：:]$")
RE_SENTENCE_INSIDE = re.compile(r"[。！？]")

# Site chrome the cleaner may have kept: 当前位置:首页 > …, 行政范例 >调查报告 >, a lone ">",
# 首页, table rows (索引号： | … | …), bullet widgets (• 微信), 小编 boilerplate, "由会员分享"
# notices, and the page's metadata (RE_PAGE_FIELD_LINE).
RE_CHROME_TITLE_LINE = re.compile(
    r"当前位置|欢迎访问|首页\s*[>＞»]|^首页$|[>＞»]\s*$|^[>＞»]|\S\s*[>＞»]\s*\S.*[>＞»]"
    r"|\|.*\||^[•·]\s*\S{0,8}$|【?字[体号]|小编|仅供参考|供大家参考|欢迎阅读|欢迎下载|由会员分享"
)

# A labelled field of a page's metadata (发布机构：, 来源：, 效力状态：, 阅读量：).
RE_PAGE_FIELD_LINE = re.compile(
    r"^[•·\s]*(?:索引号|主题分类|发布机构|成文日期|生成日期|发布日期|发布时间|发表时间|公开方式"
    r"|公开范围|组配分类|文件编号|文号|有效性|来源|时间|作者|阅读|浏览量|点击|效力状态|效力级别"
    r"|时效性|发文机关|发文日期|发文字号|施行日期|实施日期|公布日期|失效日期|信息来源|文章来源"
    r"|责任编辑|编辑|审核|阅读量|阅读数|阅读次数|浏览次数|访问量|点击量|点击数|所属类别|关键词)"
    r"\s*[：:]"
)

# A row of a page's metadata table: two or more labelled fields on one line
# (效力状态：有效 文号：…, 名称：… 发布日期：…).
RE_FIELD_LABEL = re.compile(rf"[{HAN_BASIC}]{{2,6}}\s*[：:]")
RE_SENTENCE_PUNCT = re.compile(r"[。！？；;，,]")

# Conversion artefacts of document-sharing sites: PAGE, 1-, - 2 -, 第1页 共5页, 1/12.
RE_ARTEFACT_LINE = re.compile(
    r"^(?:PAGE\s*\d*|[\d\s\-]+|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$",
    re.IGNORECASE,
)
# The same artefacts left at the end of a line: 研究报告 PAGE 1-.
RE_ARTEFACT_TAIL = re.compile(r"(?:\s*PAGE\s*\d*|\s+-?\s*\d{1,3}\s*-)+\s*$", re.IGNORECASE)

# Page widgets: 打印本页, 关闭窗口, 扫一扫在手机打开当前页, 分享到：, 上一篇：….
RE_WIDGET_LINE = re.compile(
    r"^[【\[]?(?:打印本页|打印|关闭窗口|关闭|收藏本页|加入收藏|返回顶部|分享到\s*[：:]?"
    r"|扫一扫.{0,12})[】\]]?$|^(?:上一篇|下一篇)\s*[：:]"
)

# A site's name after a title in the text: …调研报告 - 某某文库, …调研报告_某某范文网.
RE_SITE_NAME_TAIL = re.compile(
    r"(?:\s+[-–—|｜]\s*|\s*[_｜|]\s*)(?!以)[^\s_｜|]{0,12}(?:网|文库|文档|范文|之家|频道|道客巴巴)\s*$"
)

# A bare genre word is a category, not a title: 调研报告, 研究报告, 报告.
RE_GENRE_ONLY = re.compile(
    r"^(?:调研|调查|研究|工作|考察|专题|调查研究)?报告$|^(?:调研|调查研究|范文)$"
)

# The subtitle under a speech's title: ——2026年1月28日在…人民代表大会…会议上; a date line
# with the meeting; a meeting-document label (宁波市十六届人大常委会第十二次会议文件).
RE_SUBTITLE_LINE = re.compile(
    r"^[—–\-－―~～─━]{1,4}|会议上$|(?:会议|大会)(?:文件|材料|资料)(?:之.{1,3})?$"
)

# A speaker or byline line: (body) office + name (某区审计局局长 张某, 省长 王某某, 区长李某),
# or a name with 同志 (县委书记张某同志); the name must start with a known surname.
RE_BYLINE_CHARS = re.compile(rf"^[{HAN_BASIC}、，,（）()·\s]{{3,45}}$")
RE_OFFICE_END = re.compile(
    r"(?:省长|市长|区长|县长|州长|盟长|旗长|镇长|乡长|主席|书记|主任|局长|厅长|部长|审计长|院长"
    r"|检察长|署长|组长|秘书长|理事长|董事长|社长|校长|所长|处长|科长|委员|代表)$"
)

# A press-photo caption: 省长赵刚作政府工作报告, …本报记者…摄.
RE_PHOTO_CAPTION = re.compile(r"作政府工作报告|记者.{0,8}摄")

# A line that names a body, not a report: 县委组织部课题组, 新华社…调研小分队.
RE_ORG_LINE = re.compile(r"(?:组|小分队|办公室|委员会|研究室|研究中心)$")

# The label of one report in a collection: 【篇1】, 第二篇, 范文三.
RE_PART_LABEL = re.compile(
    r"^[【\[(（]?(?:篇\s*[\d一二三四五六七八九十]+|第[\d一二三四五六七八九十]+篇"
    r"|范文\s*[\d一二三四五六七八九十]+)[】\])）]?$"
)

# A date after a team or author line: 某市农业农村局调研组 2024年11月.
RE_TITLE_DATE_TAIL = re.compile(r"\s*\d{4}\s*年(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*日)?$")

# A bulletin number before a title: 2019年第43号(总第221号).
RE_BULLETIN = re.compile(r"^\d{4}年第\d+号\s*[（(]总第\d+号[)）]\s*")

# A site's decoration after a title: （范文推荐）, (精选3篇), 【通用】.
RE_DECORATION = re.compile(
    r"\s*[（(【\[](?:范文推荐|范文|推荐|精选|通用|优选|最新|汇总|合集|大全|完整版|word版|可编辑"
    r"|范本|模板|全文|原创|热门)[^）)】\]]{0,6}[）)】\]]\s*$|\s*[（(【\[]\d+篇[）)】\]]\s*$",
    re.IGNORECASE,
)

# A blog's post stamp before a title (2018年8月17日23:55:20, 2020-05-06 09:30) and its
# comment or reading status after it (已关闭评论, 3条评论, 阅读(120)).
RE_POST_STAMP = re.compile(
    r"^\d{4}\s*[年\-/.]\s*\d{1,2}\s*[月\-/.]\s*\d{1,2}\s*日?\s*\d{1,2}:\d{2}(?::\d{2})?\s*"
)
RE_POST_STATUS = re.compile(
    r"\s*(?:已关闭评论|评论已关闭|评论关闭|暂无评论|发表评论|抢沙发|\d+\s*条评论"
    r"|(?:评论|阅读|浏览|点击)\s*[（(]\s*\d+\s*[)）]|\d+\s*(?:人|次)(?:阅读|浏览|围观|看过))\s*$"
)

# A collection's header around one report's title: 第一篇 …, 篇二：…, 范文3 …; …参考1500字.
RE_PART_PREFIX = re.compile(
    r"^[【\[(（]?(?:第[\d一二三四五六七八九十]+篇(?!章)|篇\s*[\d一二三四五六七八九十]+"
    r"|范文\s*[\d一二三四五六七八九十]+)[】\])）]?\s*[：:、.．]?\s*(?=\S)"
)
RE_WORD_COUNT = re.compile(
    r"\s*[（(【\[]?(?:参考|范文|精选|共|全文|约)?\s*\d{3,5}\s*字(?:左右|以上)?[）)】\]]?\s*$"
)

# The number of one report among several on a page: 人才队伍建设调查报告1.
RE_REPORT_NUMBER = re.compile(r"(?<=报告)\s*\d{1,2}$")

# A file name shown as a heading on a sharing site: 2022年关于…调研报告 .pdf.
RE_FILE_NAME = re.compile(r"\s*\.(?:pdf|docx?|wps|txt|pptx?)$", re.IGNORECASE)
RE_YEAR_PREFIX = re.compile(r"^\d{4}年(?=关于)")

# A letter-spaced title: 政 府 工 作 报 告.
RE_LETTER_SPACED_TITLE = re.compile(rf"^(?:[{HAN_BASIC}]\s+){{2,}}[{HAN_BASIC}]$")
RE_HAN_CHAR = re.compile(rf"[{HAN_BASIC}]")

# A page-chunk number of a sharing site before the glued title: 1、关于….
RE_TITLE_CHUNK_NUMBER = re.compile(r"^\s*\d{1,3}\s*[、.．]\s*")

# Names separated by commas or wide spaces (罗丽梅，自正发，江 宇): an author line.
RE_NAME_LIST_SEPARATOR = re.compile(r"[、，,；;]|\s{2,}|\u3000")
RE_NAME_TOKEN = re.compile(rf"^[{HAN_BASIC}·]{{2,4}}$")
# The end of a transliterated name (Uyghur, Tibetan, Mongolian …): parts after a middle dot
RE_DOTTED_TAIL = re.compile(rf"(?:[·•・][{HAN_BASIC}]{{1,8}})+$")


@dataclass(frozen=True)
class TitleFound:
    """A title and the index of its last line in the lines it was read from."""

    title: str
    last_line: int


def normalise_title(line: str) -> str:
    """A title line without letter spacing, bulletin number, decoration or report number."""
    line = line.strip()
    if RE_LETTER_SPACED_TITLE.match(line):
        line = RE_SPACES.sub("", line)
    line = RE_BULLETIN.sub("", line)
    line = sub_tail(RE_ARTEFACT_TAIL, line, "-Pp")  # each tail with what it cannot lack
    line = sub_tail(RE_SITE_NAME_TAIL, line, "-–—|｜_")
    line = RE_POST_STAMP.sub("", line)
    line = sub_tail(RE_POST_STATUS, line, "评论抢沙发阅读浏览点击围观看过")
    line = RE_PART_PREFIX.sub("", line)
    line = sub_tail(RE_FILE_NAME, line, ".")
    line = sub_tail(RE_WORD_COUNT, line, "字")
    line = sub_tail(RE_DECORATION, line, "）)】]")
    return sub_tail(RE_REPORT_NUMBER, line, "报").strip()


def _is_byline(line: str) -> bool:
    """Whether a line names a speaker or author by office: 某区审计局局长 张某, 张某同志."""
    return byline_name(line) is not None


def byline_name(line: str, *, known_surname: bool = True) -> str | None:
    """The name on a speaker or byline line (某区审计局局长 张某, 张某同志), else None.

    The name (2-4 characters) follows an office word or comes before 同志; it must start
    with a known surname unless ``known_surname`` is False (the caller knows the line's
    place: under a speech's subtitle, or set apart from the office by a space).
    """
    text = sub_tail(RE_TITLE_DATE_TAIL, line, "年").strip()
    if (not RE_BYLINE_CHARS.match(text) or RE_TITLE_END.search(text)
            or RE_TITLE_OPEN_END.search(text)):
        return None
    comrade = text.endswith("同志")
    text = text.removesuffix("同志").rstrip()
    dotted = _dotted_name(text, comrade)  # 某区区长 阿依古丽·买买提: no surname table applies
    if dotted:
        return dotted
    for size in (2, 3, 4):
        name, before = text[-size:], text[:-size].rstrip()
        if not RE_NAME_TOKEN.match(name) or (known_surname and not has_known_surname(name)):
            continue
        if comrade or RE_OFFICE_END.search(before):
            return name
    return None


def _dotted_name(text: str, comrade: bool) -> str | None:
    """A dotted name at the end of ``text`` after an office word (or before 同志); its first
    part (2-6 characters) is where the office ends."""
    tail = RE_DOTTED_TAIL.search(text)
    if tail is None:
        return None
    for size in range(2, 7):
        start = tail.start() - size
        before = text[:max(start, 0)].rstrip()
        if start < 0 or not RE_NAME_TOKEN.match(text[start:tail.start()][:4]):
            break
        if RE_OFFICE_END.search(before) or (comrade and (not before or before[-1].isspace())):
            return text[start:]
    return None


def is_page_field(line: str) -> bool:
    """Whether a line is page metadata: a labelled field (来源：…) or a row of several
    (a sentence with two colons is body text, not a row)."""
    if RE_PAGE_FIELD_LINE.search(line):
        return True
    return len(RE_FIELD_LABEL.findall(line)) >= 2 and not RE_SENTENCE_PUNCT.search(line)


def _is_name_list(line: str) -> bool:
    """Whether a line lists names (罗丽梅，自正发，江 宇), known surnames or not."""
    parts = [RE_SPACES.sub("", p) for p in RE_NAME_LIST_SEPARATOR.split(line) if p.strip()]
    return (len(parts) >= 2 and all(RE_NAME_TOKEN.match(p) for p in parts)
            and not RE_TITLE_CUE.search(line))


def line_kind(line: str, max_chars: int) -> str:
    """What an opening line is: chrome, subtitle, body, heading, title, partial or plain."""
    if (RE_CHROME_TITLE_LINE.search(line) or is_page_field(line) or RE_ARTEFACT_LINE.match(line)
            or RE_WIDGET_LINE.match(line) or RE_PHOTO_CAPTION.search(line)
            or RE_PART_LABEL.match(line)):
        return "chrome"
    if RE_SUBTITLE_LINE.search(line):
        return "subtitle"
    text = normalise_title(line)
    if not text or RE_GENRE_ONLY.match(text):
        return "chrome"
    if _is_byline(text):
        return "chrome"
    if RE_LINE_ENDS_SENTENCE.search(text) or RE_SENTENCE_INSIDE.search(text):
        return "body"
    if len(text) > max_chars and not (len(text) <= 2 * max_chars and RE_TITLE_END.search(text)):
        return "chrome"  # a long line without a sentence or a title's ending: keywords, widgets
    if read_marker(text) is not None:
        return "heading"
    undated = sub_tail(RE_TITLE_DATE_TAIL, text, "年")
    if text[0] in "（(" or RE_ORG_LINE.search(undated) or _is_name_list(text):
        return "chrome"
    if RE_TITLE_CUE.search(text) or text.startswith("关于"):
        return "title" if RE_TITLE_END.search(text) or not text.startswith("关于") else "partial"
    return "plain"


def _join_wrapped(lines: list[str], kinds: list[str], start: int, max_chars: int) -> TitleFound:
    """The title starting at ``start``, joined with up to two wrapped continuation lines."""
    title = normalise_title(lines[start])
    last = start
    for index in range(start + 1, min(start + 3, len(lines))):
        if RE_TITLE_END.search(title) and kinds[last] == "title":
            break
        piece = normalise_title(lines[index])
        if kinds[index] not in ("title", "partial", "plain") or len(title + piece) > max_chars * 2:
            break
        title, last = title + piece, index
        if RE_TITLE_END.search(title):
            break
    if not RE_TITLE_END.search(title) and last > start:
        return TitleFound(normalise_title(lines[start]), start)
    return TitleFound(title, last)


def _body_copy(found: TitleFound, lines: list[str]) -> TitleFound:
    """A file-name title without its year prefix when only that form recurs in the text."""
    short = RE_YEAR_PREFIX.sub("", found.title)
    below = lines[found.last_line + 1 :]
    if short != found.title and any(short in ln and found.title not in ln for ln in below):
        return TitleFound(short, found.last_line)
    return found


def locate_title(lines: list[str], *, scan_lines: int = 20, max_chars: int = 60,
                 bare_chars: int = 40) -> TitleFound | None:
    """The report's own title in its opening lines, with where it ends; None without one.

    A web page may show its headline, then its metadata (发表时间：…, 来源：…), then the
    report as printed, own title included: a title after the page's metadata is the
    report's own and wins over the headline above it.
    """
    opening = lines[:scan_lines]
    kinds = [line_kind(line, max_chars) for line in opening]
    candidates: list[TitleFound] = []
    headline: list[TitleFound] = []  # titles above the page's metadata
    index = 0
    while index < len(opening):
        kind = kinds[index]
        if candidates and kind == "chrome" and is_page_field(opening[index]):
            headline, candidates = candidates, []
        if kind in ("body", "heading"):
            if not candidates:
                glued = RE_GLUED_TITLE.match(_without_marker(opening[index]))
                if glued:
                    candidates.append(TitleFound(glued.group(1), index))
            break
        if kind in ("title", "partial"):
            found = _join_wrapped(opening, kinds, index, max_chars)
            complete = RE_TITLE_END.search(found.title) or (
                RE_TITLE_CUE.search(found.title) and not RE_TITLE_OPEN_END.search(found.title))
            if kind == "title" or complete:
                if RE_FILE_NAME.search(opening[index]):
                    found = _body_copy(found, opening)
                candidates.append(found)
            index = found.last_line
        index += 1
    if candidates and headline:
        own, site = _first_or_fuller(candidates), _first_or_fuller(headline)
        return own if _same_title(own.title, site.title) else site
    if candidates or headline:
        return _first_or_fuller(candidates or headline)
    return _bare_first_line(opening, kinds, bare_chars)


def _first_or_fuller(candidates: list[TitleFound]) -> TitleFound:
    """The first title, or a later one that holds it and more."""
    first = candidates[0]
    fuller = [c for c in candidates[1:] if first.title in c.title and c.title != first.title]
    return fuller[0] if fuller else first


def _same_title(own: str, site: str) -> bool:
    """Whether two titles name the same report: one holds the other (政府工作报告 in
    2026年某省政府工作报告), or most two-character pieces of the shorter recur in the longer;
    a section heading under the page's metadata (调研背景) is not the report's title."""
    if own in site or site in own:
        return True
    pairs = [{a + b for a, b in zip(text, text[1:], strict=False)} for text in (own, site)]
    shorter, longer = sorted(pairs, key=len)
    return bool(shorter) and len(shorter & longer) >= 0.5 * len(shorter)


def _without_marker(line: str) -> str:
    """A line without a leading page-chunk or heading number: 1、关于… → 关于…."""
    return RE_TITLE_CHUNK_NUMBER.sub("", line)


def _bare_first_line(lines: list[str], kinds: list[str], bare_chars: int) -> TitleFound | None:
    """A short, unpunctuated first line without a cue word: 山区小学教师队伍现状."""
    for index, (line, kind) in enumerate(zip(lines, kinds, strict=False)):
        if kind == "chrome":
            continue
        text = normalise_title(line)
        han = len(RE_HAN_CHAR.findall(text))
        if kind == "plain" and len(text) <= bare_chars and han >= 6:
            return TitleFound(text, index)
        return None
    return None


def find_title(lines: list[str], *, scan_lines: int = 20, max_chars: int = 60,
               bare_chars: int = 40) -> str | None:
    """The report's own title in its opening lines, or None."""
    found = locate_title(lines, scan_lines=scan_lines, max_chars=max_chars, bare_chars=bare_chars)
    return found.title if found else None
