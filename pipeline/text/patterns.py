"""Compiled patterns and tables of the cleaning rules in ``text/clean.py`` and ``text/chrome.py``.

Each pattern carries a one-line comment with an (invented) example of what it catches.
Line patterns are matched against a line with its edge spaces stripped.
"""

from __future__ import annotations

import re

from pipeline.text.vocab import CJK_PUNCT, CN_NUM, HAN

# Han characters and Chinese punctuation: what counts as "Chinese text" next to a mark.
CJKISH = HAN + CJK_PUNCT

# --- 1. newlines, invisibles, spaces -----------------------------------------

# "a\r\nb", "a\rb", "a\u2028b" -> "a\nb"
RE_NEWLINE = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b]")
# zero-width space/joiners, word joiner, BOM, soft hyphen, stray C0/C1 controls (not \t \n \f)
RE_INVISIBLE = re.compile(
    "[\u200b-\u200d\u2060\ufeff\u00ad\u180e\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]"
)
# NBSP, en/em/thin spaces, tab -> one plain space each
RE_ODD_SPACE = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f]")
# "雷智\u3000刘林" -> "雷智 刘林"; a leading "\u3000\u3000" stays: layout reads it as an indent
RE_INNER_IDEOGRAPHIC_SPACE = re.compile(r"(?<=\S)\u3000")

# --- 2. pinyin glosses --------------------------------------------------------

PINYIN_LETTERS = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
PINYIN_MARKED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ1-5"
# "问(wèn)题", "调（diào）研", "调(diao4)研" -> gloss after a Han char, with a tone mark or digit
RE_PINYIN_GLOSS = re.compile(
    rf"(?<=[{HAN}])[(（](?=[^)）\n]*[{PINYIN_MARKED}])"
    rf"[{PINYIN_LETTERS}]{{1,7}}[1-5]?(?: [{PINYIN_LETTERS}]{{1,7}}[1-5]?){{0,3}}[)）]"
)

# --- 3. width ---------------------------------------------------------------

# "ＡＢＣ１２３％" -> "ABC123%": full-width letters, digits and percent to half-width
FULLWIDTH_ALNUM_TABLE = {
    **{code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)},
    **{code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)},
    **{code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)},
    0xFF05: ord("%"),
}
# "1．5" (after digit conversion) -> "1.5": a full-width full stop inside a number
RE_FULLWIDTH_DECIMAL = re.compile(r"(?<=\d)．(?=\d)")
# "基层,基层干部" / "能力”,一些" / "问题:" -> ASCII , : ; ? ! touching CJK text
RE_ASCII_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{CJKISH}])[,:;?!]|[,:;?!](?=[{HAN}“])")
HALF_TO_FULL_PUNCT_TABLE = str.maketrans(",:;?!()", "，：；？！（）")
# "(一)", "(1)加强", "生产总值(GDP)" -> a paren pair that holds or touches CJK text
RE_ASCII_PAREN_PAIR = re.compile(r"\(([^()\n]{0,60})\)")
# "1)加强" / "（一)" -> a lone ASCII paren touching a Han character
RE_LONE_PAREN_NEAR_CJK = re.compile(rf"(?<=[{CJKISH}])[()]|[()](?=[{HAN}])")
RE_HAS_HAN = re.compile(f"[{HAN}]")
RE_CJK_EDGE = re.compile(f"[{CJKISH}]")
# "等 8 个乡镇", "要求， 市委" -> spaces between CJK/digits (PDF artefacts) in body lines; a run
# of three or more ("…课题。   一、…") is left to layout: on a one-line web page it is a
# paragraph break (pipeline.text.layout.break_wide_gaps)
RE_CJK_SPACE = re.compile(rf"(?<=[{CJKISH}]) {{1,2}}(?=[{CJKISH}\d])|(?<=\d) {{1,2}}(?=[{CJKISH}])")

# --- 4. page furniture --------------------------------------------------------

DASHES = r"\-—–－―‐‑‒−一~～·•"
# "— 5 —", "- 5 -", "－ 5 －", "第3页共12页", "第 3 页", "共12页", "3/12", "Page 3 of 12"
RE_PAGE_NUMBER_LINE = re.compile(
    rf"[{DASHES}\s]*(?:"
    r"第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页"
    r"|(?P<num>\d{1,4})\s*/\s*(?P<den>\d{1,4})"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    rf"|[{DASHES}]+\s*\d{{1,4}}\s*[{DASHES}]+"
    rf")[{DASHES}\s]*",
    re.IGNORECASE,
)
# "5", "12" alone on a line: a page number only at a page edge or in a rising sequence
RE_BARE_NUMBER_LINE = re.compile(r"\d{1,3}")
# "（一）", "一、", "1.", "第二章": lines that look like headings are never running headers
RE_HEADING_LIKE = re.compile(
    rf"[(（]?[{CN_NUM}\d]{{1,3}}[)）、.．]|第[{CN_NUM}\d]{{1,3}}[章节部篇条]"
)
# "存在问题", "对策建议": bare section names that may legitimately repeat
RE_SECTION_WORD = re.compile(r"(问题|原因|对策|建议|做法|措施|经验|成效|启示|思考|现状|情况|概况)$")
# "…。" "…，" at a line's end: a sentence (or a wrapped piece of one), never a header
RE_TEXT_END = re.compile(r"[。；！？：，、:;!?,]$")
RE_DIGITS = re.compile(r"\d+")
RE_SPACES = re.compile(r"\s+")

# --- 5. site chrome -------------------------------------------------------------

# Lines that are chrome at any length up to ``chrome_clear_max_len``.
CLEAR_CHROME_TABLE: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "当前位置：首页 > 范文大全 > 调研报告 > 某某调研报告"
    ("breadcrumb", re.compile(r"(当前位置|您的位置|你的位置|你现在的位置|所在位置)\s*[:：]")),
    # "首页 > 范文大全 > 调研报告" / "首页>>工作总结"
    ("breadcrumb", re.compile(r"(网站)?首页\s*(>|»|＞|›|/|→)")),
    # "本文标题:关于某某的调研报告"
    ("title", re.compile(r"(本文|文章|文档)标题\s*[:：]")),
    # "链接地址:https://…", "本文链接：…", "原文地址：…", "转载请注明出处"
    (
        "link",
        re.compile(r"(链接地址|本文链接|原文链接|原文地址|文章地址|本文地址|永久链接|转载请注明)"),
    ),
    # "Copyright © 2008-2023 某某网 All Rights Reserved"
    ("copyright", re.compile(r"(copyright|©|\(c\)|all rights reserved)", re.IGNORECASE)),
    # "京ICP备12345678号", "某公网安备 1101…号"
    ("icp", re.compile(r".{0,30}(ICP\s*[备证]|公网安备)", re.IGNORECASE)),
)

# Lines that are chrome only when short (``chrome_max_len``): body text may use these words.
SHORT_CHROME_TABLE: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "您好,欢迎访问某某文档" / "欢迎光临本站"
    ("welcome", re.compile(r"(您好\W?\s*)?欢迎(您)?(访问|光临|来到)")),
    # "上一篇：某某总结" / "下一篇:…"
    ("nav", re.compile(r"[【\[]?(上一篇|下一篇|上一页|下一页|返回顶部|返回首页|返回列表)")),
    # "相关推荐" / "热门文章" / "猜你喜欢：" as a whole line
    (
        "nav",
        re.compile(
            r"[【\[]?(相关推荐|热门文章|相关文章|猜你喜欢|推荐阅读|热门推荐|精彩推荐|最新文章"
            r"|相关阅读|延伸阅读|热门搜索|相关搜索)[】\]]?\s*[:：]?\s*$"
        ),
    ),
    # "来源：某某网" / "文章来源:某某日报"
    ("source", re.compile(r"(信息|文章|稿件|新闻)?来源\s*[:：]\s*\S.{0,28}$")),
    # "责任编辑：张三" / "编辑:李四" / "审核：…"
    ("editor", re.compile(r"[(（【\[]?(责任编辑|责编|编辑|审核|校对|审校)\s*[:：]")),
    # "发布时间：2021-03-04 浏览次数：123", "点击次数:56"
    (
        "stats",
        re.compile(r".*(浏览次数|点击次数|阅读次数|点击数|浏览量|阅读量|访问量|人气)\s*[:：]?\s*\d"),
    ),
    # "发布时间：2021-03-04 10:20"
    ("stats", re.compile(r"(发布|发表|更新|上传)(时间|日期)\s*[:：]\s*\d")),
    # "上传人：user01 格式：DOC 页数：5 大小：28KB": a document site's file card (2+ fields)
    (
        "docinfo",
        re.compile(
            r"(?=(?:.*?(?:上传人|上传者|贡献者|文档格式|格式|页数|文件大小|大小|浏览|下载次数|评分)"
            r"\s*[:：]){2})"
        ),
    ),
    # "我要投稿" / "投稿邮箱：…"
    ("contribute", re.compile(r".{0,10}(我要投稿|投稿邮箱|在线投稿)")),
    # "扫码关注公众号" / "微信扫一扫，分享到朋友圈" / "长按二维码识别"
    (
        "prompt",
        re.compile(
            r".{0,6}(扫码(关注|下载|阅读|分享|登录)|(微信)?扫一扫|(扫描|长按|识别)(下方|上方)?二维码"
            r"|关注(我们|本站|本号)|关注(微信)?公众号)"
        ),
    ),
    # "免费下载", "点击下载本文", "下载文档", "VIP免费下载", "开通会员", "还剩5页未读"
    (
        "prompt",
        re.compile(
            r".{0,6}(免费下载|点击下载|下载本文|下载文档|文档下载|立即下载|下载此文档|下载地址"
            r"|开通会员|开通VIP|成为会员|会员专享|VIP(会员|专享|免费|下载)|下载券|付费下载"
            r"|阅读全文|继续阅读|展开全文|还剩\s*\d+\s*页)",
            re.IGNORECASE,
        ),
    ),
    # "收藏 | 分享 | 打印 | 关闭窗口" and other lines made only of site buttons
    (
        "buttons",
        re.compile(
            r"(?:[【\[(（]?(?:收藏|分享|分享到|打印|打印本页|关闭|关闭窗口|举报|点赞|评论|登录|注册"
            r"|字号|大|中|小|下载|复制链接|纠错|反馈|加入收藏|设为首页)[】\])）]?[\s|｜/·•:：]*){1,12}$"
        ),
    ),
    # "如有侵权请联系删除" / "本文由用户上传" / "内容来自网络，仅供参考"
    (
        "disclaimer",
        re.compile(
            r".{0,6}(如有侵权|若有侵权|侵权请联系|侵权删除|本文由.{0,12}上传|(用户|网友)(上传|分享)"
            r"|(内容|文章|本文)(来自|来源于)(网络|互联网))"
        ),
    ),
)


# "本文标题：" -> the label before a title read off chrome
RE_TITLE_LABEL = re.compile(r"^.*?标题\s*[:：]\s*")
# " > ", "»", "＞", "›", "→" between breadcrumb items ("首页 > 范文 > 某某调研报告")
RE_BREADCRUMB_SEPARATOR = re.compile(r"\s*(?:>|»|＞|›|→)+\s*")

def _combine(table: tuple[tuple[str, re.Pattern[str]], ...]) -> re.Pattern[str]:
    """One alternation of a table's patterns, so a line is tested once; group ``name__i``."""
    parts = []
    for index, (name, pattern) in enumerate(table):
        flags = "i" if pattern.flags & re.IGNORECASE else ""
        body = f"(?{flags}:{pattern.pattern})" if flags else pattern.pattern
        parts.append(f"(?P<{name}__{index}>{body})")
    return re.compile("|".join(parts))


RE_CLEAR_CHROME = _combine(CLEAR_CHROME_TABLE)
RE_SHORT_CHROME = _combine(SHORT_CHROME_TABLE)

# "调研报告范文_调研报告怎么写_某某网", "某某调研报告 - 某某文库" -> keyword/SEO lines
RE_SEO_LINE = re.compile(
    r"[^。，；！？]{1,100}?(?:_|\||｜|\s[-–—]\s)[^。，；！？]*?"
    r"(?:网|文档|文库|范文|站|\.com|\.cn|\.net|\.org)\s*$",
    re.IGNORECASE,
)

# --- 6. URLs ---------------------------------------------------------------------

# "https://www.example.com/doc-123 .html", "www.example.cn/a?b=1"
RE_URL = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+(?:\s{1,2}\.s?html?)?",
    re.IGNORECASE,
)
# "https://example.com/x" alone on a line, maybe with a bullet or label punctuation
RE_URL_LINE = re.compile(rf"[{DASHES}·•*>\s:：]*(?:{RE_URL.pattern}\s*)+[。.,，;；]?", re.I)
# ".", ")" right at a URL's end belong to the sentence
RE_URL_TRAILING = re.compile(r"[.,;:!?)\]'’]+$")

# --- 7. lines and breaks -----------------------------------------------------------

# a line with some text in it (lines end at a newline or a page break)
RE_NONBLANK_LINE = re.compile(r"[^\S\n\f]*[^\s][^\n\f]*")
RE_FORMFEED = re.compile(r"\f")
RE_NEWLINE_CHAR = re.compile(r"\n")
# a page break or removed line ("\f" marks both) and the blank lines after it
RE_BREAK_FORWARD = re.compile(r"\f[ \u3000\n\f]*")
# "  text  " line edges
RE_LINE_EDGE_SPACE = re.compile(r"^[ \u3000]+|(?<![ \u3000])[ \u3000]+$", re.MULTILINE)
# three or more newlines -> one blank line
RE_MANY_NEWLINES = re.compile(r"\n(?:[ \u3000]*\n){2,}")


def sub_tail(pattern: re.Pattern[str], line: str, needles: str) -> str:
    """``pattern.sub("", line)``, skipped when ``line`` holds none of ``needles`` (characters
    every match of the pattern holds): a tail pattern tries each position of a long line."""
    return pattern.sub("", line) if any(needle in line for needle in needles) else line
