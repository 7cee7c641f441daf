"""Themes and the levels of a plan: what a heading says by itself, and a heading held
apart from its own sub-points (invented plan texts)."""

from __future__ import annotations

import pytest

from pipeline.analysis.themes import ThemeOptions, cluster_themes, theme_candidates
from pipeline.analysis.themes_vectors import own_texts
from tests.test_themes import _unit

C = "countermeasure"
PLACES = ("甲省", "乙省", "丙省", "丁省")


def plan(doc_id: str, place: str, heading: str, opening: str,
         points: list[tuple[str, str]]) -> list:
    """A 2026年重点工作 section over one heading (with ``opening`` of its own, or none)
    over ``points`` (headline, body), as the segmenter gives them: each text spans its
    children."""
    point_texts = [f"{i + 1}.{head}。{body}" for i, (head, body) in enumerate(points)]
    heading_text = f"（一）{heading}。{opening}" + "".join("\n" + t for t in point_texts)
    section = _unit(f"{doc_id}-s", doc_id, None, C, "三、", "2026年重点工作",
                    "三、2026年重点工作\n" + heading_text, 0, "2026年重点工作", place)
    head = _unit(f"{doc_id}-h", doc_id, section.unit_id, C, "（一）", heading, heading_text,
                 1, "2026年重点工作", place)
    children = [_unit(f"{doc_id}-c{i + 1}", doc_id, head.unit_id, C, f"{i + 1}.", h, text, 2 + i,
                      "2026年重点工作", place)
                for i, ((h, _), text) in enumerate(zip(points, point_texts, strict=True))]
    return [section, head, *children]


POINTS = [("大力提振消费", "实施提振消费专项行动，扩大服务消费，推进消费品以旧换新，培育新型消费"),
          ("积极扩大有效投资", "加快重大项目建设，用好专项债券，扩大有效投资，强化项目储备和招商")]


# opening of the heading → what stands for it (its text up to the first sub-point, or
# for a bare heading its headline and the headlines of its points)
@pytest.mark.parametrize("opening, expected", [
    ("把内需当作稳增长的主要支点，让城乡居民愿意花钱、企业敢于投入。",
     "（一）扩大内需。把内需当作稳增长的主要支点，让城乡居民愿意花钱、企业敢于投入。\n"),
    ("", "（一）扩大内需。\n大力提振消费。积极扩大有效投资"),
])
def test_a_heading_is_its_own_opening_or_its_points_headlines(opening, expected):
    units = plan("d", "甲省", "扩大内需", opening, POINTS)
    texts = own_texts(theme_candidates(units, C))
    assert texts["d-h"] == expected
    # a point without sub-points keeps its whole text
    assert texts["d-c1"] == units[2].text


# the same two-level plan section in four reports, worded differently
PLANS = [
    ("着力扩大内需", "坚持扩大内需战略基点，推动消费和投资良性互动，增强内需主导作用。",
     [("大力提振消费", "深入实施提振消费专项行动，扩大服务消费，推进以旧换新"),
      ("扩大有效投资", "加快重大项目建设，用好专项债券，强化项目储备")]),
    ("充分挖掘内需潜力", "把扩大内需作为战略基点，促进消费投资协同发力，畅通经济循环。",
     [("促进消费扩容升级", "培育新型消费，发展服务消费，办好促消费活动"),
      ("积极扩大有效投资", "推进重大项目开工，扩大有效投资，加强招商引资")]),
    ("增强内需主导能力", "坚定实施扩大内需战略，以消费提质和投资增效扩大内需。",
     [("激活消费主引擎", "提振大宗消费，扩大服务消费，完善消费场景"),
      ("增强投资带动力", "抓好重大项目，扩大有效投资，优化投资结构")]),
    ("坚定实施扩大内需战略", "以内需托底全年增长，居民花钱和企业投入两头一起抓。",
     [("办好全年促消费活动", "扩大服务消费，推进以旧换新，培育消费新场景"),
      ("加力扩大有效投资", "加快重大项目建设，用好专项债券，扩大有效投资")]),
]


# apart_parents → whether some heading then shares a theme with its sub-points
@pytest.mark.parametrize("apart_parents, heading_meets_points", [(True, False), (False, True)])
def test_a_plan_heading_and_its_sub_points_make_different_themes(apart_parents,
                                                                  heading_meets_points):
    units = [u for i, (heading, opening, points) in enumerate(PLANS)
             for u in plan(f"r{i}", PLACES[i], heading, opening, points)]
    result = cluster_themes(units, ThemeOptions(apart_parents=apart_parents), C)
    theme = result.assignments
    headings = {theme[f"r{i}-h"] for i in range(len(PLANS))}
    consumption = {theme[f"r{i}-c1"] for i in range(len(PLANS))}
    investment = {theme[f"r{i}-c2"] for i in range(len(PLANS))}
    # each level meets across reports, whatever the rule
    assert len(consumption) == 1 and None not in consumption
    assert len(investment) == 1 and None not in investment
    assert bool(headings & (consumption | investment)) == heading_meets_points


def flat_plan(doc_id: str, place: str, points: list[tuple[str, str]]) -> list:
    """A 2026年重点工作 section whose points stand at the top, under no heading."""
    texts = [f"（{i + 1}）{head}。{body}" for i, (head, body) in enumerate(points)]
    section = _unit(f"{doc_id}-s", doc_id, None, C, "三、", "2026年重点工作",
                    "三、2026年重点工作\n" + "\n".join(texts), 0, "2026年重点工作", place)
    return [section, *(_unit(f"{doc_id}-c{i + 1}", doc_id, section.unit_id, C, f"（{i + 1}）",
                             head, text, 1 + i, "2026年重点工作", place)
                       for i, ((head, _), text) in enumerate(zip(points, texts, strict=True)))]


FLAT = [
    ("戊省", [("多措并举提振消费", "扩大服务消费，推进以旧换新，培育消费新场景，办好促消费活动"),
             ("加快建设现代化产业体系", "培育先进制造业集群")]),
    ("己省", [("着力推动消费转型升级", "发展服务消费，推进以旧换新，完善消费场景，释放消费潜力"),
             ("深化重点领域改革", "推进国资国企改革")]),
]


# apart_levels → whether some heading then shares a theme with the consumption points
@pytest.mark.parametrize("apart_levels, heading_meets_points", [(True, False), (False, True)])
def test_a_heading_stays_apart_from_units_more_like_its_own_sub_points(apart_levels,
                                                                       heading_meets_points):
    # At a low cut, the 扩大内需 headings (whose words span consumption and investment)
    # and the consumption points of every report, nested or not, make one theme unless a
    # unit more like a heading's own 提振消费 point than like the heading is held apart.
    units = [u for i, (heading, opening, points) in enumerate(PLANS)
             for u in plan(f"r{i}", PLACES[i], heading, opening, points)]
    units += [u for i, (place, points) in enumerate(FLAT)
              for u in flat_plan(f"f{i}", place, points)]
    options = ThemeOptions(min_similarity_countermeasure=0.06, apart_levels=apart_levels)
    theme = cluster_themes(units, options, C).assignments
    headings = {theme[f"r{i}-h"] for i in range(len(PLANS))}
    consumption = {theme[f"r{i}-c1"] for i in range(len(PLANS))} | {theme["f0-c1"],
                                                                     theme["f1-c1"]}
    assert len(consumption) == 1 and None not in consumption
    assert bool(headings & consumption) == heading_meets_points
