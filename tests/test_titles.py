"""Tests of title finding in a report's opening lines: one table per class of opening."""

import pytest

from pipeline.text.metadata import extract_metadata
from pipeline.text.titles import find_title, line_kind, locate_title, normalise_title

BODY = "近年来，各地持续推进基层治理改革，取得了一定成效，但仍存在一些问题。"


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("政 府 工 作 报 告", "政府工作报告"),  # letter-spaced
        ("乡村教师队伍调研报告（范文推荐）", "乡村教师队伍调研报告"),  # site decoration
        ("乡村教师队伍调研报告(精选3篇)", "乡村教师队伍调研报告"),
        ("乡村教师队伍调查报告1", "乡村教师队伍调查报告"),  # first of several on a page
        ("2020年第12号(总第130号)关于某项资金的审计结果公告", "关于某项资金的审计结果公告"),
        ("关于村级组织建设的调研报告 .pdf", "关于村级组织建设的调研报告"),  # a file name
        ("加强编制管理 统筹编制资源", "加强编制管理 统筹编制资源"),  # a space inside a slogan stays
        # a blog's post stamp before the title and its comment status after it
        ("2019年3月5日08:15:02社区网格管理研究报告已关闭评论", "社区网格管理研究报告"),
        ("2019-03-05 08:15 社区网格管理研究报告 3条评论", "社区网格管理研究报告"),
        ("社区网格管理研究报告 阅读(120)", "社区网格管理研究报告"),
        # a collection's header: part label before, word count after
        ("第一篇 村级集体经济调研报告参考1500字", "村级集体经济调研报告"),
        ("第三篇村级集体经济调研报告（2000字）", "村级集体经济调研报告"),
        ("篇二：村级集体经济调研报告", "村级集体经济调研报告"),
        ("范文3 村级集体经济调研报告3000字左右", "村级集体经济调研报告"),
        # conversion artefacts and a site's name left at a line's end
        ("研究报告 PAGE 1-", "研究报告"),
        ("村级集体经济调研报告 - 某某文库", "村级集体经济调研报告"),
        ("村级集体经济调研报告_某某范文网", "村级集体经济调研报告"),
        ("关于甲的思考 — 以某市政务网为例", "关于甲的思考 — 以某市政务网为例"),  # not a site
    ],
)
def test_normalise_title(line, expected):
    assert normalise_title(line) == expected


CHROME_CASES = [
    ("breadcrumb", "文秘范例 >调查报告 >\n乡村教师队伍建设调查报告\n" + BODY,
     "乡村教师队伍建设调查报告"),
    ("lone_crumbs", "首页\n>\n政务公开\n>\n关于河道治理的调研报告\n" + BODY,
     "关于河道治理的调研报告"),
    ("table_rows", "索引号： | 001/2020-01 | 成文日期： | 2020-05-06 |\n"
     "公开方式： | 主动公开 | 组配分类： | 审计工作报告 |\n"
     "关于2019年度预算执行的审计工作报告\n" + BODY, "关于2019年度预算执行的审计工作报告"),
    ("bullets_and_labels", "• 微信\n• 微博\n• 索引号： abc-2020-01\n发布机构：某区审计局\n"
     "关于2019年度区本级预算执行的审计报告\n• 浏览量：\n" + BODY,
     "关于2019年度区本级预算执行的审计报告"),
    ("conversion_artefacts", "研究报告\nPAGE\n1-\n关于干部考察工作的调研报告\n"
     "一、调研背景\n" + BODY, "关于干部考察工作的调研报告"),
    ("genre_word_only", "调研报告\n" + BODY, None),
    ("boilerplate_before_title", "以下是小编为大家整理的调研报告，仅供参考。\n"
     "乡村教师队伍建设调查报告1\n" + BODY, "乡村教师队伍建设调查报告"),
    ("keyword_spam", "免费范文下载，公文写作视频，范文大全在线阅读，公文写作素材网址大全，"
     "范文网站免费下载，公文写作范文在线看，精品范文网站大全一区二区\n"
     "省属高校青年教师发展现状研究\n" + BODY, "省属高校青年教师发展现状研究"),
    ("meeting_document_label", "某市十六届人大常委会第十二次会议文件\n"
     "关于2021年度市级预算执行的审计工作报告\n" + BODY, "关于2021年度市级预算执行的审计工作报告"),
    ("bulletin_number_line", "2020年第12号(总第130号)\n关于某项资金的审计结果公告\n" + BODY,
     "关于某项资金的审计结果公告"),
    ("bulletin_number_before_a_long_title",
     "2020年第12号(总第130号)某市关于2019年度市级预算执行和其他财政收支的审计工作报告和2018年度"
     "审计查出问题整改情况的报告\n" + BODY,
     "某市关于2019年度市级预算执行和其他财政收支的审计工作报告和2018年度审计查出问题整改情况的报告"),
    # a regulations site's metadata table, its rows without bars: 文号：… is not the title
    ("metadata_rows_without_bars", "索引号：001/2020-01 主题分类：综合政务\n"
     "发布机构：某区政府办 发文日期：2020-12-29\n效力状态：有效 文号：政府工作报告\n"
     "名称：2020年政府工作报告 发布日期：2020-12-29\n2020年政府工作报告\n"
     "——2020年12月28日在某区第十届人民代表大会第五次会议上\n" + BODY, "2020年政府工作报告"),
    ("metadata_rows_only", "效力状态：有效 文号：某政发〔2020〕1号\n"
     "名称：甲乙丙丁工作方案 发布日期：2020-01-02\n" + BODY, None),
    # the page's headline, its metadata, then the report as printed with its own title
    ("headline_above_page_metadata", "首页\n>\n政务信息\n>\n2020年某省政府工作报告\n"
     "发表时间：\n2020-02-09 09:45:30\n来源：\n某某日报客户端\n阅读量：\n【字体：\n小\n中\n大\n】\n"
     "政府工作报告\n——2020年2月3日在某省第十三届人民代表大会第四次会议上\n省长 张某某\n"
     "各位代表：\n" + BODY, "政府工作报告"),
    ("headline_only_above_page_metadata", "关于社区养老服务的调研报告\n发布时间：2020-01-02\n"
     "来源：某某网\n" + BODY, "关于社区养老服务的调研报告"),
    ("section_heading_below_page_metadata", "关于乡村教师队伍建设的调研报告\n作者：张某\n"
     "调研背景\n" + BODY, "关于乡村教师队伍建设的调研报告"),
    ("fuller_own_title_below_page_metadata", "社区养老调研报告\n作者：佚名 来源：某某网\n"
     "关于社区养老服务的调研报告\n" + BODY, "关于社区养老服务的调研报告"),
    # a blog post's status line (post stamp, title, comment status) under the title
    ("post_status_line", "社区网格管理研究报告\n"
     "2019年3月5日08:15:02社区网格管理研究报告已关闭评论\n社区网格管理研究报告" + BODY,
     "社区网格管理研究报告"),
    ("post_status_line_only", "2019-03-05 08:15 社区网格管理研究报告 3条评论\n" + BODY,
     "社区网格管理研究报告"),
    ("post_stamp_alone", "关于社区网格管理的调研报告\n2019-03-05 08:15:02\n" + BODY,
     "关于社区网格管理的调研报告"),
    # a compilation's header: 第一篇 … 参考1500字
    ("compilation_header", "第一篇 村级集体经济调研报告参考1500字\n" + BODY + "\n一、基本情况\n",
     "村级集体经济调研报告"),
    ("compilation_header_unspaced", "第二篇社区治理调研报告参考2000字\n" + BODY,
     "社区治理调研报告"),
    # page widgets and counters
    ("widgets", "打印本页\n关闭窗口\n分享到：\n扫一扫在手机打开当前页\n关于社区治理的调研报告\n"
     + BODY, "关于社区治理的调研报告"),
    ("page_counter", "第 1 页 共 5 页\n关于社区治理的调研报告\n" + BODY, "关于社区治理的调研报告"),
    ("artefacts_on_the_genre_line", "研究报告 PAGE 1-\n关于干部考察工作的调研报告\n" + BODY,
     "关于干部考察工作的调研报告"),
    ("site_name_after_genre_word", "调研报告 - 某某文库\n" + BODY, None),
]

# A speaker or byline line (office + name, … 同志) is never the title.
BYLINE_CASES = [
    ("office_and_name", "某市某区审计局局长 张某明\n2023年9月28日\n主任、各位副主任、各位委员：\n"
     + BODY, None),
    ("office_glued_to_name", "区长李某峰\n各位代表：\n" + BODY, None),
    ("comrade", "县委书记 李某某同志\n" + BODY, None),
    ("comrade_alone", "王某某同志\n" + BODY, None),
    ("office_glued_to_comrade", "县委书记李某某同志\n" + BODY, None),
    ("office_and_name_with_date", "市审计局局长 周某 2021年6月\n" + BODY, None),
    ("office_with_a_cue_word", "市政协调研组组长 王某某\n" + BODY, None),
    ("research_office_head", "省政府研究室主任 刘某\n" + BODY, None),
    ("compound_surname", "县长 欧阳某某\n" + BODY, None),
    ("byline_below_title", "关于社区治理的调研报告\n市委政研室主任 赵某某\n" + BODY,
     "关于社区治理的调研报告"),
    ("byline_between_title_and_subtitle", "政府工作报告\n某区人民政府区长 孙某某\n"
     "——2020年1月在某区第十届人民代表大会第五次会议上\n" + BODY, "政府工作报告"),
    # an office word inside a title is not a byline
    ("office_word_in_title", "关于村党支部书记队伍建设的调研报告\n" + BODY,
     "关于村党支部书记队伍建设的调研报告"),
    ("office_word_in_bare_title", "村党支部书记队伍建设现状\n" + BODY, "村党支部书记队伍建设现状"),
    ("speech_title", "张某某同志在全县经济工作会议上的讲话\n" + BODY,
     "张某某同志在全县经济工作会议上的讲话"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BYLINE_CASES],
                         ids=[c[0] for c in BYLINE_CASES])
def test_byline_is_not_the_title(text, expected):
    assert find_title(lines_of(text)) == expected


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("效力状态：有效 文号：某政发〔2020〕1号", "chrome"),  # a metadata row
        ("主要做法是：一是建机制；二是：强队伍。", "body"),  # a sentence with two colons
        ("乡村教师队伍调研报告：以某县为例", "title"),  # one colon in a title
        ("2019-03-05 08:15:02", "chrome"),  # a post stamp alone
    ],
)
def test_line_kind_of_page_metadata(line, kind):
    assert line_kind(line, 60) == kind


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CHROME_CASES],
                         ids=[c[0] for c in CHROME_CASES])
def test_chrome_is_not_the_title(text, expected):
    assert find_title(lines_of(text)) == expected


LAYOUT_CASES = [
    ("letter_spaced", "政 府 工 作 报 告\n——2020年1月在某区第十届人民代表大会第五次会议上\n"
     "各位代表：\n" + BODY, "政府工作报告"),
    ("wrapped_two_lines", "关于2019年度县级预算执行和其他财政收支的\n审计工作报告\n"
     "——2020年8月在某县人民代表大会常务委员会会议上\n" + BODY,
     "关于2019年度县级预算执行和其他财政收支的审计工作报告"),
    ("wrapped_mid_word", "关于解决干部队伍中存在的不担当不作为问题更好激发干部干事创业积\n"
     "极性的调研报告\n" + BODY,
     "关于解决干部队伍中存在的不担当不作为问题更好激发干部干事创业积极性的调研报告"),
    ("printed_twice", "某市审计局\n关于某市2020年度预算执行的审计工作报告\n关于某市2020年度\n"
     "预算执行的审计工作报告\n" + BODY, "关于某市2020年度预算执行的审计工作报告"),
    ("fuller_title_later", "调研报告汇编\n关于乡村教师队伍建设的调研报告汇编\n" + BODY,
     "关于乡村教师队伍建设的调研报告汇编"),
    ("subtitle_only", "——2017年2月11日在某区第十四届人民代表大会第六次会议上\n"
     "某区人民政府区长 某某\n各位代表：\n" + BODY, None),
    ("meeting_line_only", "2018年11月22日在某市十七届人大常委会第十六次会议上\n"
     "市审计局局长 某某\n" + BODY, None),
    ("authors_and_affiliation", "罗某某，自某某，江 某\n（1.某某学院，云南某某661100）\n" + BODY,
     None),
    ("file_name_with_year", "2022年关于农村基层党建的调研报告 .pdf\n"
     "《2022年关于农村基层党建的调研报告 .pdf》由会员分享，可在线阅读。\n"
     "1、关于农村基层党建的调研报告组织部（20XX年4月）农村基层党组织是党在农村全部工作的"
     "基础。", "关于农村基层党建的调研报告"),
    ("glued_to_first_sentence", "关于农村饮水安全调研报告近年来我县持续推进农村饮水工程建设，"
     + "成效明显" * 10 + "。", "关于农村饮水安全调研报告"),
    ("no_title", BODY + "\n一、存在问题\n二、对策建议\n", None),
    ("bare_first_line", "山区小学教师队伍现状\n" + BODY, "山区小学教师队伍现状"),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in LAYOUT_CASES],
                         ids=[c[0] for c in LAYOUT_CASES])
def test_title_layouts(text, expected):
    assert find_title(lines_of(text)) == expected


def test_located_title_ends_where_its_wrapped_lines_end():
    lines = lines_of("关于2019年度县级预算执行和其他财政收支的\n审计工作报告\n张 三  李 四\n"
                     + BODY)
    assert locate_title(lines).last_line == 1
    assert extract_metadata("\n".join(lines)).authors == ("张三", "李四")


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("关于甲的调研报告\n" + BODY, "调研报告_某某范文网", "关于甲的调研报告"),  # own title wins
        (BODY, "关于乙的调研报告", "关于乙的调研报告"),  # no title line: the hint
        (BODY, "关于丙的调研报告（范文推荐）", "关于丙的调研报告"),
        (BODY, "调研报告", None),  # a bare genre word is never the title
        (BODY, "首页", None),  # nor page chrome
        (BODY, "当前位置：首页 > 调研报告", None),
        (BODY, "研究报告 PAGE 1-", None),
    ],
)
def test_hint_only_when_the_text_has_no_title(text, hint, expected):
    assert extract_metadata(text, title_hint=hint).title == expected


def test_title_printed_three_times_survives_cleaning():
    """The cleaner drops a line repeated three times as a running header; the title it was
    comes back as the cleaner's title hint."""
    from pipeline.text.clean import clean

    title = "乡村教师队伍建设调查报告"
    raw = (f"当前位置：某某网 > 调查报告\n\n{title}\n\n{title}\n\n"
           f"以下是小编为大家整理的{title}，仅供参考。\n\n{title}\n\n{BODY}\n\n一、基本情况\n\n{BODY}")
    cleaned = clean(raw)
    assert title not in cleaned.text.split("\n")
    assert extract_metadata(cleaned.text, title_hint=cleaned.title_hint).title == title
