"""Regenerate the synthetic sample corpus from the UTF-8 sources in ``scripts/sample_sources``.

Every report here is invented for diaoyan (see corpus/README.md). The sources are plain
UTF-8: line 1 the title, line 2 the authors line (may be empty), then a blank line and the
body, one paragraph or heading per line. ``|a|b|c|`` lines are table rows; a line opening
with ``表`` just before them is the table caption.

Run ``.venv/bin/python scripts/make_samples.py`` from the repository root. Output is
deterministic: fixed dates in the docx/pdf metadata, fixed zip timestamps, reportlab's
invariant mode.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "sample_sources"
CORPUS = HERE.parent / "corpus"
NOTICE = "【合成样例】本文为 diaoyan 自拟的示例报告，非真实文本。"

HEADING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章节]|\d+(?:\.\d+)?\u3000)"
)
RUN_IN_RE = re.compile(r"^(（[一二三四五六七八九十]+）[^。；]{2,20}。)(.*)$")


@dataclass
class Source:
    """One report source: title, authors line and body lines."""

    title: str
    authors: str
    body: list[str]

    def lines(self) -> list[str]:
        """Title, authors (if any) and body as plain text lines, tables tab-separated."""
        head = [self.title] + ([self.authors] if self.authors else [])
        return head + [table_row_text(line) for line in self.body]


def load(name: str) -> Source:
    """Read ``scripts/sample_sources/<name>.txt``."""
    raw = (SRC / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    body = [line.strip() for line in raw[2:] if line.strip()]
    return Source(raw[0].strip(), raw[1].strip(), body)


def is_row(line: str) -> bool:
    """True for a ``|a|b|`` table row."""
    return line.startswith("|") and line.endswith("|")


def row_cells(line: str) -> list[str]:
    """Cells of a ``|a|b|`` table row."""
    return line.strip("|").split("|")


def table_row_text(line: str) -> str:
    """A table row as text (tab-separated); other lines unchanged."""
    return "\t".join(row_cells(line)) if is_row(line) else line


# ---------------------------------------------------------------- docx

FIXED_ZIP_TIME = (2021, 7, 1, 9, 0, 0)


def build_docx(src: Source, out: Path) -> None:
    """Word file: notice, title, authors under it, headings as bold paragraphs, one table."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    props = doc.core_properties
    stamp = dt.datetime(2021, 7, 1, 9, 0, 0)
    props.author = props.last_modified_by = "diaoyan"
    props.title = src.title
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.comments = "synthetic sample for diaoyan"

    doc.add_paragraph(NOTICE)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(src.title)
    run.bold = True
    run.font.size = Pt(18)
    doc.add_paragraph(src.authors).alignment = WD_ALIGN_PARAGRAPH.CENTER

    rows: list[list[str]] = []
    for line in src.body + [""]:
        if is_row(line):
            rows.append(row_cells(line))
            continue
        if rows:
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, cells in enumerate(rows):
                for c, text in enumerate(cells):
                    table.cell(r, c).text = text
            rows = []
        if not line:
            continue
        para = doc.add_paragraph()
        run_in = RUN_IN_RE.match(line)
        if HEADING_RE.match(line):
            para.add_run(line).bold = True
        elif run_in:
            para.add_run(run_in.group(1)).bold = True
            para.add_run(run_in.group(2))
        else:
            if line.startswith("表"):
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            para.add_run(line)
    buf = io.BytesIO()
    doc.save(buf)
    out.write_bytes(normalise_zip(buf.getvalue()))


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed member timestamps so the bytes do not depend on the clock."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, zin.read(item.filename))
    return out.getvalue()


# ---------------------------------------------------------------- pdf

PDF_WRAP = 34  # characters per hard-wrapped line
PDF_HEADER = "医保工作调研专报　2023年第4期　内部资料"


def wrap(text: str, width: int) -> list[str]:
    """Cut ``text`` into lines of at most ``width`` CJK characters' width (no kinsoku).

    Digits and Latin letters take half a CJK character, as they do in a PDF's glyphs,
    so a line holding numbers carries more characters, like real PDF text.
    """
    lines, line, used = [], "", 0
    for char in text:
        cost = 1 if ord(char) < 0x2E80 else 2
        if used + cost > 2 * width:
            lines.append(line)
            line, used = "", 0
        line += char
        used += cost
    return [*lines, line] if line or not lines else lines


def build_pdf(src: Source, out: Path) -> None:
    """Multi-page PDF: running header, hard-wrapped lines, figure box, "— n —" page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    width, height = A4
    left, top, bottom, leading = 72, height - 96, 90, 21
    pdf = canvas.Canvas(str(out), pagesize=A4, invariant=1)
    pdf.setTitle(src.title)
    pdf.setAuthor("diaoyan")
    pdf.setCreator("diaoyan scripts/make_samples.py")
    pdf.setSubject("synthetic sample")
    page = 1
    y = top

    def chrome() -> None:
        pdf.setFont(font, 9)
        pdf.drawCentredString(width / 2, height - 50, PDF_HEADER)
        pdf.line(left, height - 56, width - left, height - 56)
        pdf.setFont(font, 11)
        pdf.drawCentredString(width / 2, 48, f"— {page} —")

    def need(space: float) -> None:
        nonlocal page, y
        if y - space < bottom:
            chrome()
            pdf.showPage()
            page += 1
            y = top

    def line(text: str, size: int = 12, center: bool = False) -> None:
        nonlocal y
        need(leading)
        pdf.setFont(font, size)
        if center:
            pdf.drawCentredString(width / 2, y, text)
        else:
            pdf.drawString(left, y, text)
        y -= leading

    line(NOTICE, 10)
    y -= 6
    line(src.title, 16, center=True)
    y -= 4
    line(src.authors, 12, center=True)
    y -= 8
    for para in src.body:
        if para.startswith("（图"):
            need(150)
            pdf.rect(left + 60, y - 110, width - 2 * left - 120, 110)
            pdf.setFont(font, 10)
            pdf.drawCentredString(width / 2, y - 60, "［柱状图］")
            y -= 130
            line(para, 10, center=True)
            continue
        indent = "" if HEADING_RE.match(para) else "\u3000\u3000"
        for piece in wrap(indent + para, PDF_WRAP):
            line(piece)
    chrome()  # drawn last on each page, so extracted text starts with the body
    pdf.showPage()
    pdf.save()


# ---------------------------------------------------------------- plain text variants


def plain_text(src: Source) -> str:
    """Notice line, then the report one paragraph per line."""
    return "\n".join([NOTICE, *src.lines()]) + "\n"


PAGED_URL = "https://www.example.com/zzb/dydc/2022/0618/ganbu-jili.html"
PAGED_WIDTH = 28
PAGED_PAGES = 4


def space_numbers(text: str) -> str:
    """Put spaces around numbers embedded in Chinese, as PDF copy-paste does."""
    text = re.sub(r"(?<=[\u4e00-\u9fff])(?=\d)", " ", text)
    return re.sub(r"(?<=[\d%])(?=[\u4e00-\u9fff])", " ", text)


def paged_text(src: Source) -> str:
    """PDF copy-paste: lines cut at ~28 chars, blank line after each, page markers, a URL."""
    lines: list[str] = []
    for para in src.lines():
        if para.startswith("（图"):
            lines.append(para)
            continue
        pieces = wrap(space_numbers(para), PAGED_WIDTH)
        lines.extend(piece.strip() for piece in pieces if piece.strip())
    per_page = -(-len(lines) // PAGED_PAGES)
    out = [NOTICE, ""]
    for number in range(PAGED_PAGES):
        chunk = lines[number * per_page : (number + 1) * per_page]
        for item in chunk:
            out += [item, ""]
        out += [f"— {number + 1} —", "", f"第{number + 1}页共{PAGED_PAGES}页", ""]
        if number == 0:
            out += [PAGED_URL, ""]
    return "\n".join(out)


def collection_text(first: Source, second: Source) -> str:
    """Two reports in one file, marked 【篇1】 and 【篇2】."""
    parts = [NOTICE, "", "【篇1】", *first.lines(), "", "【篇2】", *second.lines()]
    return "\n".join(parts) + "\n"


REPRINT_EDITS = (
    ("等8个乡镇（街道）", "等9个乡镇（街道）"),
    ("召开座谈会6场", "召开座谈会7场"),
    (
        "有11名近三个月巡河记录不足规定次数。",
        "有近三成的人最近一个季度巡河记录不达标。",
    ),
    (
        "每年至少组织一次村级河长轮训。",
        "每两年对村级河长轮训一遍，并把培训情况纳入履职评价。",
    ),
    (
        "为建设美丽安吉提供坚实的生态支撑。",
        "为建设美丽安吉、打造生态文明样板提供有力保障。",
    ),
)
REPRINT_HEAD = "来源：绿色浙北资讯网　2021-08-03 10:26　编辑：小林　阅读：1326"


def reprint_text(src: Source) -> str:
    """The docx report as reprinted by a news site: source line, a few sentences changed."""
    body = "\n".join(src.lines())
    for old, new in REPRINT_EDITS:
        assert old in body, old
        body = body.replace(old, new)
    return f"{NOTICE}\n{REPRINT_HEAD}\n{body}\n（责任编辑：小林）\n"


def big5_text(src: Source) -> str:
    """The report (notice included) in traditional script via OpenCC s2tw."""
    import opencc

    return opencc.OpenCC("s2tw").convert(plain_text(src))


# ---------------------------------------------------------------- html

SITE = "云帆文档网"
DOC_URL = "https://doc.example.com/p-4471202.html"


def run_together(src: Source) -> str:
    """The whole report as one paragraph, half-width commas and colons between Chinese."""
    text = "".join(src.lines())
    return text.replace("，", ",").replace("：", ":")


def build_html(src: Source) -> str:
    """A page saved from a document-sharing site: chrome, ads, the report on one line."""
    title = html.escape(src.title)
    body = html.escape(run_together(src))
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title} - {SITE}</title>
<meta name="keywords" content="村级集体经济,调研报告,{SITE}">
<style>.ad{{border:1px solid #ccc}} .nav a{{margin:0 6px}}</style>
</head>
<body>
<p class="synthetic-notice">{NOTICE}</p>
<div class="topbar">您好，欢迎访问{SITE}！<a href="/login">登录</a> | <a href="/reg">免费注册</a> \
| <a href="/upload">我要投稿</a></div>
<div class="nav"><a href="/">首页</a><a href="/c-12/">办公文档</a><a href="/c-31/">调研报告</a>\
<a href="/c-40/">工作总结</a><a href="/c-55/">党建材料</a><a href="/vip">VIP会员</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/c-12/">办公文档</a> &gt; \
<a href="/c-31/">调研报告</a> &gt; {title}</div>
<div class="ad" id="ad-top">【广告】公文写作一键生成，海量范文免费下载！限时开通会员立减50元 \
<a href="/vip">立即开通</a></div>
<div class="doc-main">
<h1>{title}</h1>
<div class="doc-info">上传人：yf_user0932　格式：DOC　页数：5　大小：28KB　浏览：2317次</div>
<div class="doc-content">
<p>{body}</p>
</div>
<div class="doc-tail">本文标题：{title}<br>
链接地址：{DOC_URL}</div>
</div>
<div class="download-tip">下载提示：本站文档均由用户上传，仅供学习交流；如有侵权请联系删除。\
下载前请先预览，下载后不支持退换。</div>
<div class="ad" id="ad-side">【推荐】2024年最新调研报告范文合集（共200篇）\
<a href="/zt/dybg">点击查看</a></div>
<div class="related"><h3>相关文档</h3><ul>
<li><a href="/p-4471203.html">乡村振兴工作调研报告范文</a></li>
<li><a href="/p-4471288.html">农村集体经济发展情况汇报</a></li>
<li><a href="/p-4471301.html">关于村级组织运转经费保障的思考</a></li>
</ul></div>
<div class="footer"><a href="/about">关于我们</a> | <a href="/help">帮助中心</a> | \
<a href="/upload">我要投稿</a> | <a href="/contact">联系我们</a><br>
Copyright © 2016-2024 {SITE} 版权所有　本站不对用户上传内容承担责任</div>
</body>
</html>
"""


# ---------------------------------------------------------------- main

OUTPUTS = {
    "安吉县深化河长制调研报告.docx": "docx",
    "医保基金监管调研报告.pdf": "pdf",
    "兰考县义务教育调研报告_gb18030.txt": "gb18030",
    "湄潭县村级集体经济调研_文档网.html": "html",
    "长汀县居家养老调研报告_繁体big5.txt": "big5",
    "会宁县基层干部激励调研_pdf复制.txt": "paged",
    "数字政府与数字农业调研合集.txt": "collection",
    "安吉县深化河长制调研报告_转载.txt": "reprint",
    "X县乡镇卫生院调研报告_匿名.txt": "anon",
}


def main(out_dir: Path = CORPUS) -> None:
    """Write every sample into ``out_dir`` (default: this folder)."""
    anji = load("A_anji_hezhang")
    for name, kind in OUTPUTS.items():
        path = out_dir / name
        if kind == "docx":
            build_docx(anji, path)
        elif kind == "pdf":
            build_pdf(load("B_yilong_yibao"), path)
        elif kind == "gb18030":
            text = plain_text(load("C_lankao_jiaoyu")).replace("\n", "\r\n")
            path.write_bytes(text.encode("gb18030"))
        elif kind == "html":
            path.write_text(build_html(load("D_meitan_jiti")), encoding="utf-8")
        elif kind == "big5":
            path.write_bytes(big5_text(load("E_changting_yanglao")).encode("big5"))
        elif kind == "paged":
            path.write_text(paged_text(load("F_huining_ganbu")), encoding="utf-8")
        elif kind == "collection":
            text = collection_text(load("G1_kunshan_shuzi"), load("G2_shouguang_nongye"))
            path.write_text(text, encoding="utf-8")
        elif kind == "reprint":
            path.write_text(reprint_text(anji), encoding="utf-8")
        elif kind == "anon":
            path.write_text(plain_text(load("H_xxian_weishengyuan")), encoding="utf-8")
        print(f"{path.stat().st_size:8d}  {name}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS)
