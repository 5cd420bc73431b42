"""Report metadata as real pages print it (issue 15 item 7): the title after page chrome, split
over lines by Word runs or a PDF's wrapping, at the head of a page flattened into one line, with
`2024 年`; the agency never taken from boilerplate around a title; the 发布机构 field only when
it names the same body."""
from __future__ import annotations

import pytest

from nianbao.parse.metadata import extract_metadata
from nianbao.parse.normalise import normalise_text

BODY = "一、总体情况\n2019年，我局认真贯彻落实《条例》。\n"


def _md(text: str):
    lines = normalise_text(text).text.split("\n")
    md, _ = extract_metadata(lines, "\n".join(lines[:80]))
    return md


def test_title_after_page_chrome_with_other_years():
    chrome = "莆田市统计局\n返回首页\n政府信息\n公开指南\n政府信息\n公开年报\n2019年\n2018年以前\n政府信息\n公开申请\n"
    md = _md(chrome + "莆田市统计局2008年度政府信息公开工作年度报告\n发布时间：2009-01-21 00:00\n" + BODY)
    assert (md.agency_name, md.report_year) == ("莆田市统计局", 2008)


@pytest.mark.parametrize("head, agency, year", [
    # a PDF's wrapping: the title's end on the next line, the agency after the year
    ("2024 年上海市科委政府信息公开工作\n年度报告\n", "上海市科委", 2024),
    # Word runs break names and numbers anywhere
    ("根据新修订的《中华人民共和国政府信息公开条例》规定，现公布\n三明\n市人民政府20\n21\n年政府信息公开工作年度报告。本报告由总体情况等部分组成。\n",
     "三明市人民政府", 2021),
    ("莆统〔\n2020〕7 号\n莆田市统计局\n2019年政府信息公开工作年度报告\n", "莆田市统计局", 2019),
    ("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n\n沐阳县人民政府\n(2026年1月23日)\n", "沐阳县人民政府", 2025),
    # a page-chrome field above a title set on two lines is not the title's head (accuracy run, case 313)
    ("發佈機構：水利部\n發佈日期：2022-03-25\n公開方式：主動公開\n水利部\n2021年度政府信息公開工作報告\n", "水利部", 2021),
])
def test_title_split_over_lines_or_spaced(head, agency, year):
    md = _md(head + BODY)
    assert (md.agency_name, md.report_year) == (agency, year)


def test_title_at_the_head_of_a_page_flattened_into_one_line():
    line = ("平潭综合实验区2016年度政府信息公开工作年度报告 根据《中华人民共和国政府信息公开条例》（以下简称《条例》）"
            "以及根据《福建省人民政府办公厅关于做好2016年度政府信息公开工作年度报告有关事项的通知》要求，"
            + "现将平潭综合实验区2016年度政府信息公开工作情况报告如下。" * 5)
    md = _md(line + "\n")
    assert (md.agency_name, md.report_year) == ("平潭综合实验区", 2016)


@pytest.mark.parametrize("sentence, agency", [
    ("根据新修订的《中华人民共和国政府信息公开条例》规定，现公布2019年政府信息公开工作年度报告。", None),
    ("根据《中华人民共和国政府信息公开条例》有关规定，特向社会公布莆田市2019年度政府信息公开年度报告。", "莆田市"),
    ("根据《中华人民共和国政府信息公开条例》等文件要求，现将编制的莆田市统计局2019年政府信息公开工作年度报告予以公布。",
     "莆田市统计局"),
    ("我局依法依规开展2019年政府信息公开工作年度报告的编写，现予公布。", None),
    ("本年报所列数据统计时限2019年政府信息公开工作年度报告自1月1日起。", None),
    ("栏目：2019年政府信息公开工作年度报告", None),
    ("当前位置： 首页政务公开政府信息公开政府信息公开年报 平潭综合实验区2019年度政府信息公开工作年度报告", "平潭综合实验区"),
])
def test_agency_never_taken_from_boilerplate(sentence, agency):
    md = _md(sentence + "\n" + BODY)
    assert (md.agency_name, md.report_year) == (agency, 2019)


def test_a_notice_about_reports_is_not_the_title():
    md = _md("根据《莆田市人民政府办公室关于做好2014年度政府信息公开工作年度报告有关事项的通知》精神，\n"
             "特向社会公布莆田市统计局2013年度政府信息公开工作年度报告。\n" + BODY)
    assert (md.agency_name, md.report_year) == ("莆田市统计局", 2013)


def test_publishing_office_in_the_field_is_not_the_reporting_body():
    md = _md("标题: 平潭综合实验区2024年度政府信息公开工作年度报告\n发布机构: 平潭综合实验区管委会办公室\n" + BODY)
    assert md.agency_name == "平潭综合实验区"
    office = _md("标题: 莆田市人民政府2019年政府信息公开工作年度报告\n发布机构: 市府办\n" + BODY)
    assert office.agency_name == "莆田市人民政府"


def test_field_with_the_places_of_the_title_body_is_preferred():
    md = _md("南浔区人民政府2020年政府信息公开工作年度报告\n发布机构: 湖州市南浔区人民政府\n" + BODY)
    assert md.agency_name == "湖州市南浔区人民政府"


def test_a_garbled_header_field_is_no_agency():
    md = _md("发布时间：有效性： 有效\n文号：发布机构：\n发布机构：公文生成日期：\n索引号：备注/文号：\n"
             "2013年政府信息公开工作年度报告\n" + BODY)
    assert (md.agency_name, md.report_year) == (None, 2013)


def test_year_from_the_statistics_period_when_no_title_gives_it():
    md = _md("根据《条例》规定，编制本报告。本报告所列数据的统计期限自\n2018\n年1月1日起至2018年12月31日止。\n" + BODY)
    assert md.report_year == 2018
    neither = _md("根据《条例》规定，编制本报告。\n" + BODY)
    assert neither.report_year is None  # 2019年，我局… in the body is no report year
