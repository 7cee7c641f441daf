"""Plain-text decoding: BOM, UTF-8, BOM-less UTF-16, then chardet, then a binary check.

Chinese reports arrive as UTF-8, GB2312/GBK/GB18030 (mainland Windows tools),
Big5 (Taiwan/Hong Kong) and UTF-16 (Notepad's "Unicode"). A report with a handful
of corrupt bytes is still a report: it is decoded with replacement and a warning.
"""

from __future__ import annotations

import codecs
import logging
import re

import chardet

from pipeline.readers.common import DEFAULT_OPTIONS, ReadError, ReadOptions

log = logging.getLogger(__name__)

# Longest BOMs first: the UTF-32 LE BOM starts with the UTF-16 LE one.
BOM_TABLE: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # FF FE 00 00
    (codecs.BOM_UTF32_BE, "utf-32-be"),  # 00 00 FE FF
    (codecs.BOM_UTF8, "utf-8"),  # EF BB BF
    (codecs.BOM_UTF16_LE, "utf-16-le"),  # FF FE
    (codecs.BOM_UTF16_BE, "utf-16-be"),  # FE FF
)

# chardet names → the codec we decode with. GB2312 and GBK are subsets of GB18030,
# and Big5 files from Hong Kong use HKSCS additions; decoding with the superset
# never loses a character the subset would have decoded.
ENCODING_ALIAS_TABLE: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "ascii": "utf-8",
    "utf-8-sig": "utf-8",
}

# Candidates scored against chardet's guess: chardet drops a CJK codec when the
# file has even one corrupt byte and then proposes koi8-u or EBCDIC instead.
FALLBACK_ENCODINGS: tuple[str, ...] = ("utf-8", "gb18030", "big5hkscs", "utf-16-le", "utf-16-be")
MIN_PLAUSIBILITY = 0.9  # a decoding scoring below this is not text
# Control characters that never occur in prose (tab, LF, CR and form feed do).
RE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# Characters a Chinese or English report is made of: CJK ideographs, CJK and
# fullwidth punctuation, curly quotes and dashes (“”—…), circled and Roman
# numerals (①Ⅱ), shapes used as bullets (■●), ·×°, printable ASCII and whitespace.
# Latin-1 letters are left out on purpose: GBK bytes misread as cp1252 become
# "ÉÏº£" and must score low.
RE_PLAUSIBLE = re.compile(
    r"[\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff00-\uffef\u2000-\u206f"
    r"\u2160-\u217f\u2460-\u24ff\u3200-\u32ff\u25a0-\u25ff\u00b7\u00d7\u00b0\x20-\x7e\s]"
)


def detect_bom(data: bytes) -> tuple[str, int] | None:
    """Return (codec, BOM length) when ``data`` starts with a Unicode BOM."""
    for bom, codec in BOM_TABLE:
        if data.startswith(bom):
            return codec, len(bom)
    return None


def looks_utf8(prefix: bytes) -> bool:
    """True when the prefix is UTF-8, allowing a few corrupt sequences among many good ones."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    text = decoder.decode(prefix, final=False)  # a cut multibyte char at the end is fine
    bad = text.count("\ufffd")
    if bad == 0:
        return True
    non_ascii = sum(1 for ch in text if ord(ch) > 0x7F)
    # GBK bytes read as UTF-8 are nearly all replacement characters.
    return non_ascii >= 20 and bad / non_ascii < 0.05


def utf16_by_nuls(prefix: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where NUL bytes sit (ASCII/newlines have a zero high byte)."""
    sample = prefix[: len(prefix) - len(prefix) % 2]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    nuls = even + odd
    if nuls < max(2, len(sample) // 100):
        return None
    if odd >= 0.9 * nuls:
        return "utf-16-le"
    if even >= 0.9 * nuls:
        return "utf-16-be"
    return None


def plausibility(text: str) -> float:
    """Share of characters that belong in a report, with replacements counted against it."""
    if not text:
        return 0.0
    good = len(RE_PLAUSIBLE.findall(text)) - len(RE_CONTROL.findall(text))
    return (good - text.count("\ufffd")) / len(text)


def best_decoding(prefix: bytes, candidates: list[str]) -> str | None:
    """The candidate codec whose decoding looks most like prose; earlier candidates win ties."""
    best, best_score = None, MIN_PLAUSIBILITY
    for codec in candidates:
        score = plausibility(prefix.decode(codec, errors="replace"))
        if score > best_score + 1e-9 or (best is None and score >= best_score):
            best, best_score = codec, score
    return best


def detect_encoding(data: bytes, *, options: ReadOptions = DEFAULT_OPTIONS) -> tuple[str, int]:
    """Return (codec, bytes to skip) for ``data``, looking at a bounded prefix only."""
    bom = detect_bom(data)
    if bom:
        return bom
    prefix = data[: options.detect_prefix_bytes]
    utf16 = utf16_by_nuls(prefix)
    # Random bytes can put NULs on one side by chance; real UTF-16 text reads as prose.
    if utf16 and plausibility(prefix.decode(utf16, errors="replace")) >= MIN_PLAUSIBILITY:
        return utf16, 0
    if b"\x00" not in prefix and looks_utf8(prefix):
        return "utf-8", 0
    candidates = [codec for codec in (chardet_codec(prefix),) if codec]
    candidates += [codec for codec in FALLBACK_ENCODINGS if codec not in candidates]
    best = best_decoding(prefix, candidates)
    if best is None:
        raise ReadError("binary content in a text file")
    return best, 0


def chardet_codec(prefix: bytes) -> str | None:
    """chardet's guess mapped to the codec we decode with, or None."""
    name = (chardet.detect(prefix).get("encoding") or "").lower()
    if not name:
        return None
    codec = ENCODING_ALIAS_TABLE.get(name, name)
    try:
        codecs.lookup(codec)
    except LookupError:
        log.debug("chardet proposed unknown codec %r", name)
        return None
    return codec


def decode_text(
    data: bytes, *, options: ReadOptions = DEFAULT_OPTIONS, kind: str = "text"
) -> tuple[str, str, tuple[str, ...]]:
    """Decode a text file's bytes into (text, codec, warnings); binary junk raises ReadError."""
    if not data:
        raise ReadError("empty file")
    try:
        codec, skip = detect_encoding(data, options=options)
    except ReadError:
        raise ReadError(f"binary content in a {kind} file") from None
    text = data[skip:].decode(codec, errors="replace")
    replaced = text.count("\ufffd")
    controls = len(RE_CONTROL.findall(text))
    size = max(len(text), 1)
    too_many_replaced = replaced / size > options.max_replacement_ratio
    if too_many_replaced or controls / size > options.max_control_ratio:
        raise ReadError(f"binary content in a {kind} file")
    if not text.strip():
        raise ReadError("file has no text (whitespace only)")
    warnings = (f"undecodable bytes replaced: {replaced}",) if replaced else ()
    return text, codec, warnings
