"""Tests for pipeline.readers: every format, every bad input, the corpus walker."""

from __future__ import annotations

import codecs
import hashlib
import os
import zipfile
from pathlib import Path

import docx
import pytest

from pipeline.readers import (
    CorpusEntry,
    ReadError,
    ReadOptions,
    file_digest,
    html_title,
    iter_corpus,
    read_file,
    sniff_format,
)
from pipeline.readers.docx import chinese_number
from pipeline.readers.text import decode_text
from tests import badfiles
from tests.badfiles import SAMPLE_TEXT, TRADITIONAL_TEXT
from tests.conftest import SEEDS

# ---------------------------------------------------------------- plain text encodings

TEXT_ENCODING_CASES = [
    # (case id, bytes, expected codec, expected text)
    ("utf8", SAMPLE_TEXT.encode("utf-8"), "utf-8", SAMPLE_TEXT),
    ("utf8-bom", codecs.BOM_UTF8 + SAMPLE_TEXT.encode("utf-8"), "utf-8", SAMPLE_TEXT),
    (
        "utf16le-bom",
        codecs.BOM_UTF16_LE + SAMPLE_TEXT.encode("utf-16-le"),
        "utf-16-le",
        SAMPLE_TEXT,
    ),
    (
        "utf16be-bom",
        codecs.BOM_UTF16_BE + SAMPLE_TEXT.encode("utf-16-be"),
        "utf-16-be",
        SAMPLE_TEXT,
    ),
    ("utf16le-nobom", SAMPLE_TEXT.encode("utf-16-le"), "utf-16-le", SAMPLE_TEXT),
    ("utf16be-nobom", SAMPLE_TEXT.encode("utf-16-be"), "utf-16-be", SAMPLE_TEXT),
    ("utf16le-nobom-trad", TRADITIONAL_TEXT.encode("utf-16-le"), "utf-16-le", TRADITIONAL_TEXT),
    (
        "utf32le-bom",
        codecs.BOM_UTF32_LE + SAMPLE_TEXT.encode("utf-32-le"),
        "utf-32-le",
        SAMPLE_TEXT,
    ),
    ("gb18030", SAMPLE_TEXT.encode("gb18030"), "gb18030", SAMPLE_TEXT),
    ("gbk", SAMPLE_TEXT.encode("gbk"), "gb18030", SAMPLE_TEXT),
    (
        "gb18030-short",
        "调研发现基层服务短板明显。".encode("gb18030"),
        "gb18030",
        "调研发现基层服务短板明显。",
    ),
    ("big5", TRADITIONAL_TEXT.encode("big5"), "big5hkscs", TRADITIONAL_TEXT),
    ("big5-short", "長者照顧服務調查".encode("big5"), "big5hkscs", "長者照顧服務調查"),
    ("ascii", b"Survey of rural clinics\n", "utf-8", "Survey of rural clinics\n"),
]


@pytest.mark.parametrize(
    "data,codec,expected",
    [c[1:] for c in TEXT_ENCODING_CASES],
    ids=[c[0] for c in TEXT_ENCODING_CASES],
)
def test_text_encodings(tmp_path, data, codec, expected):
    path = tmp_path / "report.txt"
    path.write_bytes(data)
    got = read_file(path)
    assert (got.fmt, got.encoding, got.text, got.warnings) == ("txt", codec, expected, ())


def test_few_bad_bytes_are_replaced_with_warning(tmp_path):
    got = read_file(badfiles.make_text_with_bad_bytes(tmp_path))
    assert got.encoding == "utf-8"
    assert got.warnings == ("undecodable bytes replaced: 3",)
    assert "存在的主要问题" in got.text


def test_gb18030_with_a_bad_byte_still_decodes(tmp_path):
    data = (SAMPLE_TEXT * 4).encode("gb18030")
    path = badfiles.write(tmp_path / "gb.txt", data[:50] + b"\xff" + data[50:])
    got = read_file(path)
    assert got.encoding == "gb18030"
    assert got.warnings and got.warnings[0].startswith("undecodable bytes replaced")


def test_control_characters_mean_binary():
    with pytest.raises(ReadError, match="binary content"):
        decode_text(b"abc\x01\x02\x03\x04def" * 50)


# ---------------------------------------------------------------- docx


def make_docx(path: Path) -> Path:
    """A .docx with a paragraph, a table, a paragraph, and a numbered heading list."""
    document = docx.Document()
    document.add_paragraph("调研背景介绍在前面")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([["乡镇", "合作社数"], ["青石镇", "11"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("表格之后的分析段落")
    document.save(str(path))
    return path


def test_docx_keeps_table_between_paragraphs(tmp_path):
    got = read_file(make_docx(tmp_path / "r.docx"))
    assert got.fmt == "docx"
    assert got.text.split("\n") == [
        "调研背景介绍在前面",
        "乡镇\t合作社数",
        "青石镇\t11",
        "表格之后的分析段落",
    ]


NUMBERING_XML = """<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="7">
<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
  <w:lvlText w:val="%1、"/></w:lvl>
<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>
  <w:lvlText w:val="（%2）"/></w:lvl>
</w:abstractNum>
<w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>
</w:numbering>"""


def test_docx_renders_automatic_chinese_numbering(tmp_path):
    document = docx.Document()
    numbering = document.part.numbering_part.element
    from lxml import etree

    for child in etree.fromstring(NUMBERING_XML):
        numbering.append(child)
    for level, text in [
        (0, "基本情况"),
        (0, "主要问题"),
        (1, "设备老旧"),
        (1, "品牌分散"),
        (0, "对策建议"),
    ]:
        paragraph = document.add_paragraph(text)
        ppr = paragraph._p.get_or_add_pPr()
        ppr.append(
            etree.fromstring(
                '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:ilvl w:val="{level}"/><w:numId w:val="3"/></w:numPr>'
            )
        )
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    assert read_file(path).text.split("\n") == [
        "一、基本情况",
        "二、主要问题",
        "（一）设备老旧",
        "（二）品牌分散",
        "三、对策建议",
    ]


W_XMLNS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
STYLE_NUMBERING_CASES = [
    # (case id, the paragraph style's pPr content, the styled paragraph as read)
    ("style numbered, level 0", '<w:numPr><w:numId w:val="3"/></w:numPr>', "一、基本情况"),
    ("style numbered, level 1", '<w:numPr><w:ilvl w:val="1"/><w:numId w:val="3"/></w:numPr>',
     "（一）基本情况"),
    ("numPr without numId", '<w:numPr><w:ilvl w:val="1"/></w:numPr>', "基本情况"),
    ("style without numbering", '<w:jc w:val="center"/>', "基本情况"),
]


@pytest.mark.parametrize("case, ppr, expected", STYLE_NUMBERING_CASES,
                         ids=[case[0] for case in STYLE_NUMBERING_CASES])
def test_docx_numbering_from_paragraph_style(tmp_path, case, ppr, expected):
    from lxml import etree

    document = docx.Document()
    for child in etree.fromstring(NUMBERING_XML):
        document.part.numbering_part.element.append(child)
    document.styles.element.append(etree.fromstring(
        f'<w:style {W_XMLNS} w:type="paragraph" w:styleId="Numbered"><w:name w:val="Numbered"/>'
        f"<w:pPr>{ppr}</w:pPr></w:style>"))
    document.add_paragraph("基本情况", style="Numbered")
    document.add_paragraph("正文段落")
    path = tmp_path / "styled.docx"
    document.save(str(path))
    assert read_file(path).text.split("\n") == [expected, "正文段落"]


@pytest.mark.parametrize(
    "n,expected",
    [
        (1, "一"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (35, "三十五"),
        (105, "一百零五"),
        (110, "一百一十"),
    ],
)
def test_chinese_number(n, expected):
    assert chinese_number(n) == expected


def test_docx_uncompressed_cap_from_options(tmp_path):
    path = make_docx(tmp_path / "r.docx")
    with pytest.raises(ReadError, match="uncompressed size .* exceeds limit"):
        read_file(path, options=ReadOptions(max_docx_uncompressed_bytes=1000))


# ---------------------------------------------------------------- pdf


def test_pdf_chinese_pages_joined_by_form_feed(tmp_path):
    got = read_file(badfiles.make_pdf(tmp_path / "r.pdf"))
    pages = got.text.split("\f")
    assert got.fmt == "pdf" and len(pages) == 2
    assert pages[0].split("\n")[:2] == list(badfiles.SAMPLE_LINES[:2])
    assert "\r" not in got.text


def test_pdf_with_owner_password_only_opens(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    encrypt = StandardEncryption("", ownerPassword="owner", canPrint=0)
    got = read_file(badfiles.make_pdf(tmp_path / "o.pdf", encrypt=encrypt))
    assert "基本情况" in got.text


def test_pdf_page_cap(tmp_path):
    path = badfiles.make_pdf(tmp_path / "r.pdf")
    with pytest.raises(ReadError, match="PDF too long: 2 pages > limit 1"):
        read_file(path, options=ReadOptions(max_pdf_pages=1))


def test_pdf_with_some_textless_pages_warns(tmp_path):
    path = badfiles.make_pdf(tmp_path / "m.pdf", [list(badfiles.SAMPLE_LINES), []])
    assert read_file(path).warnings == ("pages without a text layer: 1 of 2",)


# ---------------------------------------------------------------- html

HTML_PAGE = """<!DOCTYPE html><html><head><meta charset="gbk"><title>青石镇茶叶调研 - 某某网</title>
<style>.x{color:red}</style><script>var tracker = 1;</script></head><body>
<nav><a href="/">首页</a> | <a href="/news">新闻中心</a> | <a href="/about">联系我们</a></nav>
<header>站点顶部横幅广告位</header>
<article><h1>关于青石镇茶叶合作社发展情况的调研报告</h1>
<p>全镇现有茶园四千二百亩，合作社十一家，带动农户约六百户，茶叶已经成为当地农民增收的主要来源之一。</p>
<p>调研组走访了五个行政村，与三十多位茶农和合作社负责人座谈，了解到加工设备老旧、夏秋茶利用率偏低等问题。</p>
<p>建议整合小散品牌，由镇里牵头建设统一的冷链仓储点，并与电商平台合作打开线上销售渠道。</p>
</article>
<footer>版权所有 某某网 备案号示例</footer></body></html>"""


def test_html_keeps_article_drops_chrome(tmp_path):
    path = badfiles.write(tmp_path / "page.html", HTML_PAGE.encode("gbk"))
    got = read_file(path)
    assert (got.fmt, got.encoding) == ("html", "gb18030")
    assert "合作社十一家" in got.text and "冷链仓储点" in got.text
    for chrome in ("首页", "新闻中心", "版权所有", "tracker", "color:red"):
        assert chrome not in got.text
    assert len([line for line in got.text.split("\n") if line.strip()]) >= 3


def test_html_fallback_when_trafilatura_finds_nothing(tmp_path):
    page = "<html><body><nav>导航</nav><p>短短一句</p><script>x()</script></body></html>"
    got = read_file(badfiles.write(tmp_path / "tiny.htm", page.encode("utf-8")))
    assert "短短一句" in got.text and "导航" not in got.text and "x()" not in got.text


def test_html_title():
    assert html_title(HTML_PAGE) == "青石镇茶叶调研 - 某某网"
    assert html_title(HTML_PAGE.encode("gbk")) == "青石镇茶叶调研 - 某某网"


def test_html_saved_as_txt_is_sniffed(tmp_path):
    got = read_file(badfiles.write(tmp_path / "page.txt", HTML_PAGE.encode("gbk")))
    assert got.fmt == "html"


# ---------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    "maker,reason",
    [
        c
        for c in badfiles.BAD_FILE_TABLE
        if c[0] not in (badfiles.make_symlink_loop, badfiles.make_broken_symlink)
    ],
    ids=lambda v: getattr(v, "__name__", "")[5:],
)
def test_bad_inputs_raise_with_reason(tmp_path, maker, reason):
    path = maker(tmp_path)
    with pytest.raises(ReadError) as caught:
        read_file(path)
    assert reason in str(caught.value)
    assert "\n" not in str(caught.value)


def test_huge_text_rejected_by_stat_without_reading(tmp_path, monkeypatch):
    path = badfiles.make_huge_txt(tmp_path)
    reads = []
    real_open = Path.open

    def spying_open(self, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        original_read = handle.read
        handle.read = lambda n=-1: reads.append(n) or original_read(n)
        return handle

    monkeypatch.setattr(Path, "open", spying_open)
    with pytest.raises(ReadError, match=r"file too large: 200\.0 MB > limit 32 MB"):
        read_file(path)
    assert reads and all(0 < n <= 1024 for n in reads)  # only the sniffing prefix


@pytest.mark.parametrize(
    "head,suffix,expected",
    [
        (b"%PDF-1.7\n", ".txt", "pdf"),
        (b"PK\x03\x04rest", ".pdf", "docx"),
        (b"plain words", ".md", "txt"),
        (b"plain words", "", "txt"),
        (b"\xef\xbb\xbf<!DOCTYPE html><html>", ".txt", "html"),
        (b"plain words", ".htm", "html"),
    ],
)
def test_sniff_format(head, suffix, expected):
    assert sniff_format(head, suffix) == expected


@pytest.mark.parametrize(
    "head,suffix,reason",
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", ".txt", "JPEG image with a .txt extension"),
        (b"GIF89a" + bytes(10), ".md", "GIF image"),
        (b"\x1f\x8b\x08\x00", ".txt", "gzip archive"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", ".docx", "password-protected .docx"),
        (b"not really a pdf", ".pdf", "damaged PDF"),
    ],
)
def test_sniff_rejects(head, suffix, reason):
    with pytest.raises(ReadError, match=reason.replace(".", r"\.")):
        sniff_format(head, suffix)


def test_missing_file_is_read_error(tmp_path):
    with pytest.raises(ReadError, match="file not found"):
        read_file(tmp_path / "nope.txt")


# ---------------------------------------------------------------- corpus walker


def test_iter_corpus_sorted_skips_hidden_and_config(tmp_path):
    for name in [
        "b/2.txt",
        "b/1.txt",
        "a.txt",
        ".hidden.txt",
        ".git/x.txt",
        "metadata.csv",
        "diaoyan.toml",
        "~$lock.docx",
    ]:
        badfiles.write(tmp_path / name, b"x")
    assert [e.rel_path for e in iter_corpus(tmp_path)] == ["a.txt", "b/1.txt", "b/2.txt"]


def test_bad_corpus_every_entry_errors_with_reason(tmp_path):
    expected = badfiles.make_bad_corpus(tmp_path)
    found = {}
    for entry in iter_corpus(tmp_path):
        if entry.error is None:
            try:
                read_file(entry.path)
            except ReadError as exc:
                found[entry.rel_path] = str(exc)
        else:
            found[entry.rel_path] = entry.error
    assert found.keys() == expected.keys()
    for rel_path, reason in expected.items():
        assert reason in found[rel_path], rel_path


def test_symlink_loop_reported_once(tmp_path):
    badfiles.make_symlink_loop(tmp_path)
    badfiles.write(tmp_path / "loop" / "r.txt", b"x")
    assert list(iter_corpus(tmp_path)) == [
        CorpusEntry("loop/again", tmp_path / "loop" / "again", "symlink loop"),
        CorpusEntry("loop/r.txt", tmp_path / "loop" / "r.txt"),
    ]


def test_self_symlink_is_an_error_entry(tmp_path):
    os.symlink(tmp_path / "me", tmp_path / "me")
    assert [e.error for e in iter_corpus(tmp_path)] == ["symlink loop"]


def test_unreadable_directory_entry(tmp_path, monkeypatch):
    badfiles.write(tmp_path / "ok.txt", b"x")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    # Tests run as root, where chmod 000 does not block reading; simulate the denial.
    monkeypatch.setattr(os, "scandir", scandir)
    assert [(e.rel_path, e.error) for e in iter_corpus(tmp_path)] == [
        ("locked", "unreadable directory: permission denied"),
        ("ok.txt", None),
    ]


def test_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    assert [e.error for e in iter_corpus(tmp_path)] == ["not a regular file"]


def test_iter_corpus_missing_root_does_not_raise(tmp_path):
    entries = list(iter_corpus(tmp_path / "absent"))
    assert len(entries) == 1 and "file not found" in entries[0].error


def test_file_digest(tmp_path):
    path = badfiles.write(tmp_path / "d.bin", b"abc" * 1000)
    assert file_digest(path) == hashlib.sha256(b"abc" * 1000).hexdigest()


def test_zip_bomb_is_checked_before_inflating(tmp_path, monkeypatch):
    path = badfiles.make_zip_bomb_docx(tmp_path)

    def no_read(*args, **kwargs):
        raise AssertionError("member was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "read", no_read)
    with pytest.raises(ReadError, match="zip bomb"):
        read_file(path)


# ---------------------------------------------------------------- real reports


def test_seed_reports_read_cleanly():
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip("shared seed corpus not present")
    for path in seeds:
        got = read_file(path)
        assert got.fmt == "txt" and len(got.text) > 500 and not got.warnings, path.name


@pytest.mark.parametrize("seed,size", [(1, 64), (2, 500), (3, 4096), (4, 100_000)])
def test_random_bytes_are_binary(seed, size):
    rng = __import__("random").Random(seed)
    with pytest.raises(ReadError, match="binary content"):
        decode_text(bytes(rng.getrandbits(8) for _ in range(size)))


def test_html_wrong_meta_charset_falls_back_to_detection(tmp_path):
    page = HTML_PAGE.replace('charset="gbk"', 'charset="gb2312"')
    got = read_file(badfiles.write(tmp_path / "p.html", page.encode("utf-8")))
    assert got.encoding == "utf-8" and "冷链仓储点" in got.text


def test_html_reader_carries_the_report_title_without_the_site_suffix(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    assert read_file(path).title == "青石镇茶叶调研"
