"""Pre-2019 reports: legacy measures from real phrasings (format-spec §3.4) and old statistical
tables, Chinese numerals, zero statements, the traps, the crosswalk and the old-format rules."""
from __future__ import annotations

import pytest

from nianbao.parse.model import ParseResult
from nianbao.parse.pipeline import parse_document
from nianbao.parse.stated_figures import chinese_number, family_of, read_prose_values
from nianbao.readers.document import Document, TextBlock
from nianbao.vocabulary.loader import load


def _prose(text: str, year: int | None = None) -> dict[tuple[str, str | None], float]:
    return {(v.measure, v.channel): v.value for v in read_prose_values(text, None, year)}


def _report(body: str, title: str = "某某市某某局2016年政府信息公开工作年度报告") -> ParseResult:
    """Parse a plain-text report (title line + body) as the pipeline would."""
    text = title + "\n" + body
    doc = Document(blocks=[TextBlock(text.split("\n"))], file_format="text", encoding="utf-8")
    result = ParseResult("0" * 16, "0" * 64)
    parse_document(doc, result)
    return result


def _measures(result: ParseResult) -> dict[tuple[str, str | None], float]:
    return {(m.measure, m.channel): m.value for m in result.legacy_measures}


def _cells(result: ParseResult) -> dict[tuple[str, str, str], float]:
    return {(c.table_id, c.row_id, c.col_id): c.value for c in result.cells}


# ------------------------------------------------------------------ numbers

@pytest.mark.parametrize("text, value", [
    ("三", 3), ("十二", 12), ("两", 2), ("二十一", 21), ("一百零五", 105), ("两万三千", 23000),
    ("12", 12), ("1,234", 1234), ("26.8万", 268000), ("0", 0),
])
def test_chinese_and_arabic_numbers(text, value):
    assert chinese_number(text) == value


def test_a_bare_unit_character_is_not_a_number():
    assert chinese_number("万") is None and chinese_number("几") is None


# ------------------------------------------------------------------ real prose (format-spec §3.4)

IZ17 = ("本局2017年共受理信息公开申请10件,其中当面申请1宗,占10%;网上申请9宗,占90%;信函申请0宗。"
        "在已经答复的9件申请中,“同意公开”的7件,占总数的70%;“同意部分公开”1件;“不予公开”的1件;"
        "“信息不存在”的1件;“非本机关政府信息”的1件;“申请内容不明确”的1件。"
        "依申请公开收取的费用(检索费、邮寄费、复制费等)为0元。2017年度针对我局有关的行政复议案0件。")


def test_iz17_every_measure_of_the_paragraph():
    got = _prose(IZ17, 2017)
    assert got == {
        ("legacy_requests_total", None): 10, ("legacy_requests_in_person", "in_person"): 1,
        ("legacy_requests_online", "online"): 9, ("legacy_requests_letter", "letter"): 0,
        ("legacy_replies_total", None): 9, ("legacy_granted", None): 7, ("legacy_partially_granted", None): 1,
        ("legacy_denied_total", None): 1, ("legacy_information_not_exist", None): 1,
        ("legacy_not_this_agency", None): 1, ("legacy_request_unclear", None): 1,
        ("legacy_fees_collected_cny", None): 0, ("legacy_review_total", None): 0,
    }


def test_iz17_overlapping_outcomes_are_kept_but_not_mapped_and_the_reply_rule_fails():
    r = _report("三、依申请公开政府信息情况\n" + IZ17, "某某市文化广电新闻出版局2017年政府信息公开工作年度报告")
    assert r.template == "pre2019" and r.parse_status == "narrative_only"
    cells = _cells(r)
    # requests and replies are mapped; the outcomes add up to 12 > 9 replies: none is mapped
    assert cells == {("t3", "new_received", "unspecified"): 10, ("t3", "total_processed", "unspecified"): 9}
    assert any(n.code == "legacy_outcomes_overlap" for n in r.notes)
    assert _measures(r)[("legacy_granted", None)] == 7           # still a legacy measure
    rules = {x.rule: x for x in r.rules}
    assert rules["legacy_channel_sum"].passed is True              # 10 = 1 + 9 + 0
    assert (rules["legacy_reply_sum"].left_value, rules["legacy_reply_sum"].right_value,
            rules["legacy_reply_sum"].passed) == (9, 12, False)
    assert all(c.source == "narrative" for c in r.cells)


@pytest.mark.parametrize("text, expected", [
    ("全年共收到、办理依申请公开 0件,其中当面申请 0 件,信函申请 0件,网上申请 0件。",
     {("legacy_requests_total", None): 0, ("legacy_requests_in_person", "in_person"): 0,
      ("legacy_requests_letter", "letter"): 0, ("legacy_requests_online", "online"): 0}),
    ("本单位2008年没有收到政府信息公开申请。", {("legacy_requests_total", None): 0}),
    ("2014年中心未收到申请公开政府信息的申请。", {("legacy_requests_total", None): 0}),
    # Chinese numerals
    ("全年共受理政府信息公开申请十二件,均已按期答复。其中同意公开三件,同意部分公开两件,不予公开一件。",
     {("legacy_requests_total", None): 12, ("legacy_granted", None): 3,
      ("legacy_partially_granted", None): 2, ("legacy_denied_total", None): 1}),
    ("本年度发生政府信息公开行政复议两起,行政诉讼一起。",
     {("legacy_review_total", None): 2, ("legacy_lawsuit_total", None): 1}),
    ("全年共接到依申请公开政府信息申请二十一件,通过网上申请十五件,当面申请六件。",
     {("legacy_requests_total", None): 21, ("legacy_requests_online", "online"): 15,
      ("legacy_requests_in_person", "in_person"): 6}),
    # reviews and lawsuits: zero statements, one number for both, results under their parent
    ("没有发生因政府信息公开提起行政复议或行政诉讼的情况。",
     {("legacy_review_total", None): 0, ("legacy_lawsuit_total", None): 0}),
    ("全年因政府信息公开引起的行政复议和行政诉讼各0件。",
     {("legacy_review_total", None): 0, ("legacy_lawsuit_total", None): 0}),
    ("2016年,我局发生政府信息公开行政复议案件2件,其中维持1件,纠正1件;行政诉讼案件1件,法院判决维持1件。",
     {("legacy_review_total", None): 2, ("legacy_review_upheld", None): 1, ("legacy_review_corrected", None): 1,
      ("legacy_lawsuit_total", None): 1, ("legacy_lawsuit_upheld", None): 1}),
    ("全年无政府信息公开方面的行政申诉,未收到政府信息公开投诉。",
     {("legacy_petitions", None): 0, ("legacy_complaints", None): 0}),
    # fees: amounts, 万元, waivers, zero statements
    ("本年度依申请公开收取检索费、复制费共计120元,减免费用30元。",
     {("legacy_fees_collected_cny", None): 120, ("legacy_fees_waived_cny", None): 30}),
    ("全年收取信息处理费0.5万元。", {("legacy_fees_collected_cny", None): 5000}),
    ("本机关在依申请公开工作中没有收取任何费用。", {("legacy_fees_collected_cny", None): 0}),
    ("未发生收费及减免情况。", {("legacy_fees_collected_cny", None): 0, ("legacy_fees_waived_cny", None): 0}),
    # proactive disclosure
    ("2008年度共新增主动公开政府信息312条。其中,机构概况类信息5条,占1.6%。",
     {("legacy_proactive_new", None): 312}),
    ("截至2014年底,市行政服务中心累计主动向政府信息公开专栏公开政府信息54条,全文电子化率达100%。",
     {("legacy_proactive_total", None): 54}),
    ("全年共主动公开政府信息26.8万条。", {("legacy_proactive_new", None): 268000}),
    ("政府网站公开信息3698条,微博微信公开信息2148条,新闻发布会公开信息12条,新闻媒体公开信息12条,政府公报公开信息0条。",
     {("legacy_proactive_by_channel", "website"): 3698, ("legacy_proactive_by_channel", "weibo_wechat"): 2148,
      ("legacy_proactive_by_channel", "press_conference"): 12, ("legacy_proactive_by_channel", "media"): 12,
      ("legacy_proactive_by_channel", "gazette"): 0}),
    ("回应公众关注热点或重大舆情3次,举办新闻发布会12次,组织政府网站在线访谈0次,发布政策解读稿5篇。",
     {("legacy_hotspots_responded", None): 3, ("legacy_press_conferences", None): 12,
      ("legacy_online_interviews", None): 0, ("legacy_interpretations", None): 5}),
    # family-B wording: 否决公开 is its own (inclusive) measure
    ("对申请的答复总数20件,其中同意公开15件,同意部分公开2件,否决公开3件(其中信息不存在2件,非本部门掌握1件)。",
     {("legacy_replies_total", None): 20, ("legacy_granted", None): 15, ("legacy_partially_granted", None): 2,
      ("legacy_denied_inclusive_total", None): 3, ("legacy_information_not_exist", None): 2,
      ("legacy_not_this_agency", None): 1}),
])
def test_real_phrasings(text, expected):
    assert _prose(text, 2016 if "2016年" in text else None) == expected


def test_the_first_of_two_differing_statements_is_kept_and_noted():
    r = _report("三、依申请公开情况\n全年共受理政府信息公开申请8件。\n另外,本年度收到政府信息公开申请9件。")
    assert _measures(r)[("legacy_requests_total", None)] == 8
    assert any(n.code == "legacy_conflicting_values" for n in r.notes)


# ------------------------------------------------------------------ traps

def test_document_counts_by_disclosure_attribute_are_not_requests():
    """HL18: 依申请公开信息459条 / 不予公开信息1535条 count documents, not requests or denials."""
    text = "2018年,共制作政府信息3021条,其中主动公开信息1027条,依申请公开信息459条,不予公开信息1535条。"
    r = _report("二、主动公开政府信息情况\n" + text, "湖里区人民政府2018年政府信息公开工作年度报告")
    got = _measures(r)
    assert ("legacy_requests_total", None) not in got and ("legacy_denied_total", None) not in got
    assert not any(c.table_id == "t3" for c in r.cells)
    assert any(n.code == "legacy_trap" for n in r.notes)


def test_a_request_count_in_条_with_a_receiving_verb_is_a_request_count():
    assert _prose("2016年,本局收到依申请公开政府信息2条,均已按时答复。", 2016) == {("legacy_requests_total", None): 2}


def test_figures_of_another_year_are_skipped():
    text = "2015年共受理政府信息公开申请5件,2016年共受理政府信息公开申请8件。2013年全年中心网站上传信息达406条。"
    values = read_prose_values(text, None, 2016)
    assert {(v.measure, v.value) for v in values} == {("legacy_requests_total", 8)}


def test_aggregate_report_is_flagged():
    r = _report("本报告是根据《中华人民共和国政府信息公开条例》要求,综合各县、区人民政府和市政府各部门政府信息公开"
                "年度报告编制而成。\n三、依申请公开政府信息情况\n全市共受理政府信息公开申请1360件。",
                "宿州市2016年政府信息公开工作年度报告")
    assert r.metadata.is_aggregate is True
    assert _measures(r)[("legacy_requests_total", None)] == 1360


def test_single_agency_report_is_not_aggregate():
    r = _report("本报告由本局办公室根据《条例》编制。\n全年共受理政府信息公开申请3件。")
    assert r.metadata.is_aggregate is False


# ------------------------------------------------------------------ old statistical tables

FAMILY_B_TABLE = """一、概述
本报告由概述、主动公开政府信息情况、依申请公开政府信息情况、咨询处理情况、复议、诉讼和申诉的情况、政府支出和收费、存在的主要问题和改进措施组成,并附相关的说明和指标统计表。
七、附表
指标名称 | 单位 | 数值
申请总数 | 件 | 25
其中:1.当面申请数 | 件 | 5
2.传真申请数 | 件 | 0
3.电子邮件申请数 | 件 | 3
4.网上申请数 | 件 | 15
5.信函申请数 | 件 | 2
6.其他形式申请数 | 件 | 0
对申请的答复总数 | 件 | 24
其中:1.同意公开答复数 | 件 | 15
2.同意部分公开答复数 | 件 | 2
3.否决公开答复总数 | 件 | 7
其中:(1)“非《规定》所指政府信息”数 | 件 | 1
(2)“信息不存在”数 | 件 | 3
(3)“非本部门掌握”数 | 件 | 2
(4)“申请内容不明确”数 | 件 | 0
(5)“免予公开范围1”数 | 件 | 1
(11)其它原因 | 件 | 0
行政复议数 | 件 | 1
行政诉讼数 | 件 | 0
行政申诉数 | 件 | 0
收取费用 | 元 | 35.5"""


def test_family_b_statistics_table():
    r = _report(FAMILY_B_TABLE, "上海市某某区2012年政府信息公开工作年度报告")
    assert r.metadata.outline_family == "B"
    got = _measures(r)
    assert got == {
        ("legacy_requests_total", None): 25, ("legacy_requests_in_person", "in_person"): 5,
        ("legacy_requests_fax", "fax"): 0, ("legacy_requests_email", "email"): 3,
        ("legacy_requests_online", "online"): 15, ("legacy_requests_letter", "letter"): 2,
        ("legacy_requests_other_channel", "other"): 0, ("legacy_replies_total", None): 24,
        ("legacy_granted", None): 15, ("legacy_partially_granted", None): 2,
        ("legacy_denied_inclusive_total", None): 7, ("legacy_not_government_information", None): 1,
        ("legacy_information_not_exist", None): 3, ("legacy_not_this_agency", None): 2,
        ("legacy_request_unclear", None): 0, ("legacy_denied_numbered_scope", "scope_1"): 1,
        ("legacy_denied_other_reason", None): 0, ("legacy_review_total", None): 1,
        ("legacy_lawsuit_total", None): 0, ("legacy_petitions", None): 0, ("legacy_fees_collected_cny", None): 35.5,
    }
    assert all(m.source == "table" for m in r.legacy_measures)
    # 否决公开 includes 信息不存在 etc.: never mapped whole; its denial reasons and its
    # unable-to-provide reasons are
    assert _cells(r) == {
        ("t3", "new_received", "unspecified"): 25, ("t3", "total_processed", "unspecified"): 24,
        ("t3", "granted", "unspecified"): 15, ("t3", "partially_granted", "unspecified"): 2,
        ("t3", "denied_unspecified", "unspecified"): 1, ("t3", "unable_to_provide_unspecified", "unspecified"): 5,
    }
    rules = {x.rule: x.passed for x in r.rules}
    assert rules == {"legacy_channel_sum": True, "legacy_reply_sum": True, "legacy_denial_sum": True}


FAMILY_C_TABLE = """一、基本工作情况
二、主动公开政府信息情况
三、回应解读情况
四、依申请公开政府信息情况
五、政府信息公开行政复议、行政诉讼和举报投诉情况
六、机构建设和保障经费情况
七、政府信息公开会议和培训情况
八、存在的主要问题及改进措施
附件:政府信息公开情况统计表
统计指标 | 单位 | 统计数
一、主动公开情况 | — | —
(一)主动公开政府信息数(不同渠道和方式公开相同信息计1条) | 条 | 3698
其中:主动公开规范性文件数 | 条 | 12
二、回应解读情况 | — | —
(一)回应公众关注热点或重大舆情数 | 次 | 3
三、依申请公开情况 | — | —
(一)收到申请数 | 件 | 10
1.当面申请数 | 件 | 1
2.传真申请数 | 件 | 0
3.网络申请数 | 件 | 9
4.信函申请数 | 件 | 0
(二)申请办结数 | 件 | 9
1.按时办结数 | 件 | 9
2.延期办结数 | 件 | 0
(三)申请答复数 | 件 | 9
1.属于已主动公开范围数 | 件 | 2
2.同意公开答复数 | 件 | 4
3.同意部分公开答复数 | 件 | 1
4.不同意公开答复数 | 件 | 1
其中:涉及国家秘密 | 件 | 0
涉及商业秘密 | 件 | 1
5.不属于本行政机关公开数 | 件 | 1
6.申请信息不存在数 | 件 | 0
7.告知作出更改补充数 | 件 | 0
8.告知通过其他途径办理数 | 件 | 0
四、行政复议数量 | 件 | 1
维持具体行政行为数 | 件 | 1
被依法纠错数 | 件 | 0
其他情形数 | 件 | 0
五、行政诉讼数量 | 件 | 0
维持具体行政行为或者驳回原告诉讼请求数 | 件 | 0
被依法纠错数 | 件 | 0
其他情形数 | 件 | 0
六、举报投诉数量 | 件 | 0
七、依申请公开信息收取的费用 | 万元 | 0"""


def test_family_c_statistics_table():
    r = _report(FAMILY_C_TABLE, "舒兰市市场监督管理局2016年政务信息公开年度报告")
    assert r.metadata.outline_family == "C"
    got = _measures(r)
    assert got[("legacy_proactive_total", None)] == 3698
    assert got[("legacy_normative_docs_new", None)] == 12
    assert got[("legacy_hotspots_responded", None)] == 3
    assert (got[("legacy_requests_total", None)], got[("legacy_requests_online", "online")]) == (10, 9)
    assert (got[("legacy_replies_total", None)], got[("legacy_completed_on_time", None)]) == (9, 9)
    assert (got[("legacy_already_public", None)], got[("legacy_granted", None)], got[("legacy_denied_total", None)],
            got[("legacy_denied_commercial_secret", None)], got[("legacy_not_this_agency", None)]) == (2, 4, 1, 1, 1)
    # results under their parent: 维持 / 纠错 / 其他情形 of reviews, then of lawsuits
    assert (got[("legacy_review_total", None)], got[("legacy_review_upheld", None)],
            got[("legacy_review_corrected", None)], got[("legacy_review_other", None)]) == (1, 1, 0, 0)
    assert (got[("legacy_lawsuit_total", None)], got[("legacy_lawsuit_upheld", None)]) == (0, 0)
    assert (got[("legacy_complaints", None)], got[("legacy_fees_collected_cny", None)]) == (0, 0)
    cells = _cells(r)
    assert cells[("t3", "new_received", "unspecified")] == 10
    assert cells[("t3", "granted", "unspecified")] == 4
    assert cells[("t3", "denied_unspecified", "unspecified")] == 1       # the total, not its reasons again
    assert cells[("t3", "unable_to_provide_unspecified", "unspecified")] == 1
    assert ("t3", "granted_already_public", "unspecified") not in cells  # 已主动公开: unverified, not mapped
    # pre-2019 review results are mapped; review and lawsuit totals stay legacy measures
    assert cells[("t4", "administrative_review", "upheld")] == 1
    assert ("t4", "administrative_review", "unspecified") not in cells
    rules = {x.rule: x.passed for x in r.rules}
    assert rules["legacy_channel_sum"] is True and rules["legacy_reply_sum"] is True
    assert rules["legacy_denial_sum"] is True


# ------------------------------------------------------------------ outline families and seeds

def test_outline_families():
    assert family_of("三、依申请公开政府信息和不予公开政府信息的情况\n四、政府信息公开的收费及减免情况") == "A"
    assert family_of("四、咨询处理情况\n五、复议、诉讼和申诉的情况\n六、政府支出和收费") == "B"
    assert family_of("三、回应解读情况\n六、机构建设和保障经费情况\n七、政府信息公开会议和培训情况") == "C"
    assert family_of("二〇一六年工作总结") is None


def test_seed_003_legacy_measures(shared_dir):
    from nianbao.parse.pipeline import parse_bytes

    r = parse_bytes((shared_dir / "seeds" / "003_db442462a16c13eb.txt").read_bytes(), "003.txt")
    assert r.metadata.outline_family == "A"
    assert _measures(r) == {
        ("legacy_proactive_total", None): 54,       # not the 2013 figure (406) nor 已主动公开406条
        ("legacy_requests_total", None): 0,          # 未收到申请公开政府信息的申请
        ("legacy_fees_collected_cny", None): 0,      # section 四 reads "无。"
        ("legacy_fees_waived_cny", None): 0,
        ("legacy_review_total", None): 0,            # 没有发生…行政复议或行政诉讼
        ("legacy_lawsuit_total", None): 0,
    }


def test_every_crosswalk_measure_and_target_is_declared():
    v = load()
    measures = {m.id for m in v.legacy_measures}
    rows = {f.id for f in v.flows} | {o.id for o in v.outcomes} | {v.t3_total_row.id} | {p.id for p in v.all_proceedings}
    cols = {"unspecified"} | {r.id for r in v.all_results}
    for cw in v.legacy_crosswalk:
        assert set(cw.measures) <= measures, cw
        assert (cw.row in rows) is not cw.compare_only and cw.col in cols, cw  # a compare-only row is no fact row
    for m in v.legacy_measures:
        assert m.context is None or m.context in measures
        assert m.leaf is None or m.leaf in {o.id for o in v.outcomes}
    for rule in v.rules:
        if rule.table == "legacy":
            for side in rule.left + rule.right:
                for alt in side.split("|"):
                    assert {t.strip().lstrip("!") for t in alt.split("+")} <= measures, rule.id


# ------------------------------------------------------------------ old 附表 printed one cell per line

# label / unit / value(s), one cell per line, as the archived pages of 01-2008 and 02-2018 keep them
FUBIAO_ONE_COLUMN = ("附表\n指\n标\n名\n称\n计量单位\n数量\n受理依申请公开信息总数\n条\n100\n其中： 1.当面申请数\n条\n55\n"
                     "2.传真申请数\n条\n0\n本年度对申请的答复总数\n条\n100\n其中： 1.公开同意答复数\n条\n88\n"
                     "2.同意部分公开答复数\n条\n12\n3.否定公开答复总数\n条\n0\n行政复议数\n件\n0\n行政诉讼数\n件\n0\n"
                     "主动公开信息数\n条\n38954\n其中：1.政府公报\n条\n3008\n3.新闻发布会\n条\n26\n")
FUBIAO_TWO_COLUMNS = ("附表\n指\n标\n名\n称\n计量单位\n2018年度\n历年累计\n受理政府信息公开申请总数\n条\n777\n3878\n"
                      "当面申请数\n条\n534\n2811\n同意公开答复数\n条\n311\n2297\n行政复议数\n件\n4\n18\n"
                      "接受行政申诉、举报数\n件\n1\n行政诉讼数\n件\n0\n")


def test_old_table_one_cell_per_line():
    got = _measures(_report("七、附表\n" + FUBIAO_ONE_COLUMN))
    assert (got[("legacy_requests_total", None)], got[("legacy_requests_in_person", "in_person")],
            got[("legacy_replies_total", None)], got[("legacy_granted", None)],
            got[("legacy_partially_granted", None)], got[("legacy_review_total", None)]) == (100, 55, 100, 88, 12, 0)
    # 新闻发布会 counted in 条 is information published there, not meetings held
    assert got[("legacy_proactive_by_channel", "press_conference")] == 26
    assert ("legacy_press_conferences", None) not in got


def test_old_table_with_a_cumulative_column_gives_the_years_values():
    got = _measures(_report("七、附表\n" + FUBIAO_TWO_COLUMNS, "某某市2018年政府信息公开工作年度报告"))
    assert (got[("legacy_requests_total", None)], got[("legacy_requests_in_person", "in_person")],
            got[("legacy_granted", None)], got[("legacy_review_total", None)]) == (777, 534, 311, 4)
    # one value where two columns are printed: the year's or the 历年累计? not read ...
    assert ("legacy_petitions", None) not in got
    # ... unless it is 0 (a 历年累计 of 0 leaves none for the year either)
    assert got[("legacy_lawsuit_total", None)] == 0


def test_prose_broken_into_lines_is_not_an_old_table():
    # Word runs put numbers on lines of their own; no unit cell sits between words and number
    got = _measures(_report("二、主动公开政府信息情况\n全市共出版\n12\n期政府公报，发布政府信息\n113\n条，专栏访问量\n67\n万人次。"))
    assert got.get(("legacy_site_visits", None)) in (None, 670000)


def test_documents_by_disclosure_class_are_not_requests_or_refusals():
    r = _report("二、主动公开政府信息情况\n2016年，全市各级各部门共制作政府信息50366条，其中：主动公开34495条，占68.49%；"
                "作为依申请公开6667条，占13.24%；涉密等不予公开9204条，占18.27%。\n"
                "三、依申请公开政府信息情况\n2016年，各级各部门受理依申请公开信息394条，不予公开3条。")
    got = _measures(r)
    assert (got[("legacy_requests_total", None)], got[("legacy_denied_total", None)]) == (394, 3)
