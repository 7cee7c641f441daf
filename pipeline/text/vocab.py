"""The Chinese vocabulary the text modules share: characters, numerals, marker pieces, punctuation.

Character classes are strings (the inside of ``[...]``) so that each module composes its
own patterns from them; a module's own patterns and tables stay next to it. Also here:
the one Chinese-numeral reader (``cn_to_int``) and the one normaliser texts are compared
in (``normalise_for_match``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# ---- characters ----------------------------------------------------------------------

# Han ideographs: the basic CJK block, extension A and the compatibility ideographs.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# The basic CJK block alone, what most heading, name and placeholder rules test for.
HAN_BASIC = "\u4e00-\u9fff"
# CJK punctuation, full-width forms and the curly double quotes Chinese text uses.
CJK_PUNCT = (
    "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    "\u201c\u201d\u2026\u2014"
)

# ---- numerals --------------------------------------------------------------------------

# 一 … 十: the numerals heading markers and enumerations count with (一、 （二） 三是 第四章).
CN_NUM = "一二三四五六七八九十"
# 零 … 九 in order of value: CN_DIGITS[7] == "七".
CN_DIGITS = "零一二三四五六七八九"
# Value of each numeral character ``cn_to_int`` reads (两 as in 两方面, 〇 as in 二〇二一).
CN_DIGIT_TABLE = {ch: value for value, ch in enumerate(CN_DIGITS)} | {"〇": 0, "两": 2, "十": 10}


def cn_to_int(numeral: str) -> int | None:
    """Chinese or arabic numeral to int: '十二' -> 12, '二十' -> 20, '7' -> 7; None if not one."""
    if numeral.isdigit():
        return int(numeral)
    if "十" not in numeral:
        if len(numeral) != 1:
            return None
        return CN_DIGIT_TABLE.get(numeral)
    tens, _, ones = numeral.partition("十")
    tens_value = CN_DIGIT_TABLE.get(tens, 0) if tens else 1
    ones_value = CN_DIGIT_TABLE.get(ones, 0) if ones else 0
    if (tens and tens not in CN_DIGIT_TABLE) or (ones and ones not in CN_DIGIT_TABLE):
        return None
    return tens_value * 10 + ones_value


def enclosed_to_int(char: str) -> int:
    """① / ⑴ / ㈠ to its number."""
    code = ord(char)
    for first in (0x2460, 0x2474, 0x3220):  # ①, ⑴, ㈠
        if first <= code < first + 20:
            return code - first + 1
    raise ValueError(char)


# ---- heading-marker pieces (no groups), composed into line patterns -----------------------

# "第三", "第十二", "第3" before 章/节/部分/篇
MARKER_CHAPTER_NUMBER = rf"第[{CN_NUM}百零〇\d]{{1,4}}"
# "一、", "十二、"
MARKER_CN_DUN = rf"[{CN_NUM}]{{1,3}}、"
# "（一）", "(二)"
MARKER_CN_PAREN = rf"[（(][{CN_NUM}]{{1,3}}[）)]"
# "（1）", "(12)"
MARKER_AR_PAREN = r"[（(]\d{1,2}[）)]"

# ---- punctuation -----------------------------------------------------------------------

# 。！？； and their ASCII forms: the marks that end a sentence.
SENTENCE_END = "。！？；!?;"
# Closing quotes and brackets that stay with the sentence they follow: 。” / 。）
CLOSING_QUOTES = "”’」』）)"
# "…的做法。一是…" -> a sentence end anywhere in a text
RE_SENTENCE_END_CHAR = re.compile(f"[{SENTENCE_END}]")

# ---- comparing texts -------------------------------------------------------------------

# Texts up to this length are normalised once and remembered: tokens, markers and
# headlines, which every rule and feature of the tagger asks about again (measured on
# 1,000 reports: 99 % of the repeated calls); longer texts (bodies) hardly repeat.
CACHED_NORMAL_CHARS = 64


def normalise_for_match(text: str) -> str:
    """NFKC with all whitespace removed: the form headlines, cues and gold keys are compared in.

    PDF text breaks words with spaces, and full-width and half-width forms mean the same.
    """
    if not text:
        return ""
    if len(text) <= CACHED_NORMAL_CHARS:
        return _normalise_cached(text)
    return "".join(unicodedata.normalize("NFKC", text).split())


@lru_cache(maxsize=1 << 17)  # tokens, markers and headlines repeat: normalise each once
def _normalise_cached(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())
