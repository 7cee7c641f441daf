"""Authors and speakers of reports, one class per case, on synthetic text (names invented)."""

import pytest

from pipeline.text.authors import glued_names, speaker_on_line
from pipeline.text.metadata import extract_metadata

BODY = "近年来，各项工作取得了新进展。\n一、基本情况\n正文。"
SUBTITLE = "——2030年1月20日在某市第九届人民代表大会第三次会议上"

SPEAKER_CASES = [
    ("office_space_name", f"政府工作报告\n{SUBTITLE}\n某市人民政府市长 甄一鸣\n各位代表：\n" + BODY,
     ("甄一鸣",)),
    ("letter_spaced_name", f"政府工作报告\n{SUBTITLE}\n某省省长 蔺 禾\n各位代表：\n" + BODY,
     ("蔺禾",)),
    ("subtitle_and_speaker_on_one_line", "某省2030年政府工作报告\n2030年1月20日在某省第九届人民代表"
     "大会第三次会议上某省省长甄一鸣\n各位代表：\n" + BODY, ("甄一鸣",)),
    ("rare_surname_under_subtitle", f"政府工作报告\n{SUBTITLE}\n某区人民政府代区长缑文静\n"
     "各位代表：\n" + BODY, ("缑文静",)),
    ("rare_surname_set_apart", "关于2029年度市级预算执行的审计工作报告\n市审计局局长 钮嘉禾\n"
     "主任、各位副主任：\n" + BODY, ("钮嘉禾",)),
    ("rare_surname_glued_without_subtitle", "关于2029年度市级预算执行的审计工作报告\n"
     "市审计局局长钮嘉禾\n主任、各位副主任：\n" + BODY, ()),
    ("speaker_above_date_line", "某区审计局局长 覃思远\n2030年9月1日\n主任、各位委员：\n" + BODY,
     ("覃思远",)),
    ("two_offices", f"关于某条例实施情况的报告\n{SUBTITLE}\n"
     "市人大常委会副主任、执法检查组组长甄一鸣\n市人大常委会：\n" + BODY, ("甄一鸣",)),
    ("comrade", "在全县工作会议上的讲话\n县委书记 甄一鸣同志\n同志们：\n" + BODY, ("甄一鸣",)),
    ("photo_caption_is_not_a_speaker", "政府工作报告\n省长甄一鸣作政府工作报告。本报记者蔺禾摄\n"
     + BODY, ()),
    ("place_is_not_a_name", f"政府工作报告\n{SUBTITLE}\n县长 柳河县\n各位代表：\n" + BODY, ()),
    ("speaker_in_the_body_is_not_the_author", "关于甲的调研报告\n近年来，全县持续推进工作。\n"
     "县长 甄一鸣\n" + BODY, ()),
]

BYLINE_CASES = [
    ("label_author", "关于河道治理的调研报告\n作者：甄一鸣 蔺禾\n" + BODY, ("甄一鸣", "蔺禾")),
    ("label_wen", "关于河道治理的调研报告\n文/覃思远\n" + BODY, ("覃思远",)),
    ("label_after_team_glued_names",
     "关于河道治理的调研报告\n县政协调研组执笔：甄一鸣覃思远\n" + BODY, ("甄一鸣", "覃思远")),
    ("label_with_a_rare_surname", "关于河道治理的调研报告\n某社调研小分队\n"
     "（执笔人：甄一鸣、缑文静、覃思远）\n" + BODY, ("甄一鸣", "缑文静", "覃思远")),
    ("label_in_page_metadata", "关于河道治理的调研报告\n时间：2030-01-01 来源：某网 作者：甄一鸣\n"
     + BODY, ("甄一鸣",)),
    ("empty_label_in_page_metadata",
     "关于河道治理的调研报告\n时间：2030-01-01 10:00来源：作者：阅读：\n" + BODY, ()),
    ("names_over_affiliations", "甄一鸣，缑文静，覃 远\n（1.某某大学经济学院，某省某市100000）\n"
     + BODY, ("甄一鸣", "缑文静", "覃远")),
    ("team_is_a_corporate_author", "关于河道治理的调研报告\n某县委组织部课题组\n" + BODY,
     ("某县委组织部课题组",)),
    ("dated_team", "关于河道治理的调研报告\n某市农业农村局调研组（2030年5月）\n" + BODY,
     ("某市农业农村局调研组",)),
    ("body_is_not_an_author", "关于河道治理的调研报告\n某县水利局\n" + BODY, ()),
    ("title_is_not_an_author", "关于甄一鸣同志先进事迹的调研报告\n" + BODY, ()),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in SPEAKER_CASES + BYLINE_CASES],
                         ids=[c[0] for c in SPEAKER_CASES + BYLINE_CASES])
def test_authors(text, expected):
    assert extract_metadata(text).authors == expected


@pytest.mark.parametrize(
    ("line", "after_subtitle", "expected"),
    [
        ("某省省长 甄一鸣", False, "甄一鸣"),
        ("某区区长缑文静", False, None),  # rare surname glued to the office: not sure
        ("某区区长缑文静", True, "缑文静"),  # … unless right under the subtitle
        ("区长助理", True, None),
        ("县长 讲话", True, None),
        ("某自治区主席 阿依努尔·吐尔逊", False, "阿依努尔·吐尔逊"),  # a dotted name
        ("某州州长艾山·买提", True, "艾山·买提"),
        ("某某·某某", True, None),  # no office, no 同志: not a speaker line
        ("阿依努尔·吐尔逊同志", False, "阿依努尔·吐尔逊"),
    ],
)
def test_speaker_on_line(line, after_subtitle, expected):
    assert speaker_on_line(line, after_subtitle=after_subtitle) == expected


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        ("甄一鸣覃思远", ("甄一鸣", "覃思远")),
        ("甄一蔺禾", ("甄一", "蔺禾")),
        ("一二三四", ()),  # no surnames
        ("甄一鸣", ()),  # one name is no list
    ],
)
def test_glued_names(run, expected):
    assert glued_names(run) == expected
