"""The prose traps of format-spec §3.4 as real reports word them (issue 15 item 6): what a
sentence does not say is never read as a figure, and a figure goes only where its words put it.
Each test parses a whole report (title + prose) as the pipeline does."""
from __future__ import annotations

from nianbao.parse.model import ParseResult
from nianbao.parse.pipeline import parse_bytes, parse_document
from nianbao.readers.document import Document, TextBlock

LEGACY_TITLE = "某某县人民政府办公室2015年政府信息公开工作年度报告"
SEED_001 = "001_e2088ef8146a25db.txt"  # 2019 template, table 三 granted 142, partially 20; table 四 review 25


def _report(body: str, title: str = LEGACY_TITLE) -> ParseResult:
    text = title + "\n" + body
    result = ParseResult("0" * 16, "0" * 64)
    parse_document(Document(blocks=[TextBlock(text.split("\n"))], file_format="text", encoding="utf-8"), result)
    return result


def _measures(r: ParseResult) -> dict[str, float]:
    return {m.measure: m.value for m in r.legacy_measures}


def _cells(r: ParseResult) -> dict[tuple[str, str, str], float]:
    return {(c.table_id, c.row_id, c.col_id): c.value for c in r.cells}


def _narrative_rules(r: ParseResult) -> dict[str, tuple]:
    return {x.scope_id: (x.left_value, x.right_value, x.passed) for x in r.rules
            if x.rule == "narrative_table_consistency"}


def _seed_with(shared_dir, sentence: str) -> ParseResult:
    text = (shared_dir / "seeds" / SEED_001).read_text("utf-8")
    anchor = "全年无责任追究情况。"
    assert anchor in text
    return parse_bytes(text.replace(anchor, anchor + sentence).encode("utf-8"), "report.txt")


# ------------------------------------------------------------------ counts since the regulation

def test_cumulative_count_since_the_regulation_is_not_the_years():
    r = _report("三、依申请公开政府信息情况\n2015年，我办共受理政府信息公开申请12件，"
                "自《条例》实施以来累计受理政府信息公开申请129件。")
    assert _measures(r)["legacy_requests_total"] == 12
    assert _cells(r)[("t3", "new_received", "unspecified")] == 12
    assert any(n.code == "legacy_trap" and "cumulative_since_regulation" in n.message for n in r.notes)


def test_a_cumulative_sentence_gives_nothing_not_its_total():
    r = _report("三、依申请公开政府信息情况\n自《条例》实施以来，我办累计受理政府信息公开申请129件，"
                "其中同意公开答复100件。")
    assert "legacy_requests_total" not in _measures(r) and "legacy_granted" not in _measures(r)
    assert not any(c.table_id == "t3" for c in r.cells)


def test_over_the_years_and_up_to_year_end_counts_are_cumulative():
    r = _report("三、依申请公开政府信息情况\n2015年度通过网站受理政府信息公开申请4条，同意公开答复4条；"
                "历年累计受理申请23条，其中同意公开答复16条，6条属涉及商业秘密不予公开。\n"
                "四、因政府信息公开申请行政复议、提起行政诉讼的情况\n2015年，全市因政府信息公开申请行政复议4件，"
                "提起行政诉讼11件。截至2015年底，全市因政府信息公开累计申请行政复议18件、提起行政诉讼35件。")
    got = _measures(r)
    assert (got["legacy_requests_total"], got["legacy_granted"]) == (4, 4)
    assert (got["legacy_review_total"], got["legacy_lawsuit_total"]) == (4, 11)
    assert "legacy_denied_commercial_secret" not in got  # the 6 of the cumulative sentence


def test_the_years_total_said_with_lei_ji_is_still_read():
    # 累计 alone is the year's sum ("全年累计受理…"); only 历年 / 以来 / 截至…累计 make it cumulative
    r = _report("三、依申请公开政府信息情况\n2015年，我办全年累计受理政府信息公开申请15件，均已按时答复。")
    assert _measures(r)["legacy_requests_total"] == 15


def test_proactive_cumulative_total_is_still_its_measure():
    r = _report("二、主动公开政府信息情况\n截至2015年底，我办累计主动公开政府信息3019条，全年新增主动公开政府信息363条。")
    assert _measures(r)["legacy_proactive_total"] == 3019


# ------------------------------------------------------------------ combined figures

def test_granted_and_partially_granted_together_is_neither_category():
    r = _report("三、依申请公开政府信息情况\n全年共受理政府信息公开申请50件，其中予以公开及部分公开42件，不予公开3件。")
    got = _measures(r)
    assert got["legacy_granted_full_or_partial"] == 42
    assert "legacy_granted" not in got and "legacy_partially_granted" not in got
    cells = _cells(r)
    assert ("t3", "partially_granted", "unspecified") not in cells and ("t3", "granted", "unspecified") not in cells
    assert cells[("t3", "denied_unspecified", "unspecified")] == 3
    assert not any(c.row_id == "granted_full_or_partial" for c in r.cells)  # no fact row says "combined"


def test_combined_figure_in_quotes_and_old_words():
    r = _report("三、依申请公开政府信息情况\n在已答复的20件申请中，“同意公开”和“部分公开”的18件，“信息不存在”的2件。")
    got = _measures(r)
    assert got["legacy_granted_full_or_partial"] == 18 and "legacy_partially_granted" not in got


def test_combined_figure_is_held_against_both_table_categories(shared_dir):
    right = _seed_with(shared_dir, "全年予以公开及部分公开162件。")  # 142 + 20
    assert _narrative_rules(right)["granted_full_or_partial"] == (162, 162, True)
    off = _seed_with(shared_dir, "全年予以公开及部分公开142件。")  # SH19's kind of prose slip
    assert _narrative_rules(off)["granted_full_or_partial"] == (142, 162, False)
    # never compared as one category (seed 001's own prose states 部分公开20件 separately)
    assert _narrative_rules(off)["partially_granted"] == (20, 20, True)


# ------------------------------------------------------------------ 告知更改补充

def test_told_to_change_or_complete_the_request_is_unclear():
    r = _report("三、依申请公开政府信息情况\n全年共受理政府信息公开申请10件，其中同意公开7件，"
                "告知申请人更改、补充申请2件，信息不存在1件。")
    got = _measures(r)
    assert got["legacy_request_unclear"] == 2
    # 信息不存在 + 申请内容不明确: the old forms of 无法提供
    assert _cells(r)[("t3", "unable_to_provide_unspecified", "unspecified")] == 3


# ------------------------------------------------------------------ fees in words

def test_fees_said_in_words_are_zero():
    for sentence in ("本年度我办未收取任何费用。", "本年度无政府信息公开收费及减免情况。",
                     "依申请提供政府信息，均未向申请人收取费用。"):
        r = _report("四、政府信息公开的收费及减免情况\n" + sentence)
        assert _measures(r)["legacy_fees_collected_cny"] == 0, sentence


# ------------------------------------------------------------------ no corrections

def test_no_corrections_is_not_zero_reviews_and_lawsuits():
    r = _report("五、因政府信息公开申请行政复议、提起行政诉讼的情况\n2015年，本机关未发生因政府信息公开"
                "行政复议被纠错或行政诉讼败诉的情况。")
    got = _measures(r)
    assert "legacy_review_total" not in got and "legacy_lawsuit_total" not in got


def test_reviews_stated_beside_no_corrections_are_read():
    r = _report("五、因政府信息公开申请行政复议、提起行政诉讼的情况\n2015年，发生政府信息公开行政复议3件，"
                "未发生被纠错或败诉的情况。")
    assert _measures(r)["legacy_review_total"] == 3


def test_no_review_and_no_corrections_in_one_sentence():
    r = _report("五、因政府信息公开申请行政复议、提起行政诉讼的情况\n2015年，未发生因政府信息公开申请行政复议、"
                "提起行政诉讼的情况，也没有被纠错或败诉的情况。")
    got = _measures(r)
    assert (got["legacy_review_total"], got["legacy_lawsuit_total"]) == (0, 0)
    assert "legacy_requests_total" not in got  # 未发生因…申请行政复议 says nothing of requests


def test_no_corrections_in_a_2019_report_is_no_conflict_with_table_4(shared_dir):
    r = _seed_with(shared_dir, "本年度未发生因政府信息公开行政复议被纠错或诉讼败诉的情况。")
    rules = _narrative_rules(r)
    assert "administrative_review" not in rules and "lawsuit_unspecified" not in rules


# ------------------------------------------------------------------ headings

def test_a_table_4_heading_is_no_zero_statement():
    # table 四's header cells, one per line, as a page's text keeps them
    r = _report("四、政府信息公开行政复议、行政诉讼情况\n行政复议\n行政诉讼（未经复议直接起诉）\n"
                "行政诉讼（复议后起诉）\n结果维持\n结果纠正\n其他结果\n尚未审结\n总计\n"
                "五、存在的主要问题及改进情况\n无。", "某某县人民政府2015年政府信息公开工作年度报告")
    got = _measures(r)
    assert "legacy_review_total" not in got and "legacy_lawsuit_total" not in got


# ------------------------------------------------------------------ replies

def test_replies_are_read_only_when_they_are_the_requests():
    r = _report("三、依申请公开政府信息情况\n2015年，我办共受理政府信息公开申请12件。上述申请已全部办结，共答复12件，"
                "其中同意公开10件，同意部分公开2件。\n")
    assert _measures(r)["legacy_replies_total"] == 12
    # seed 002's 政府失信问题已办结86个: other things finished, not requests answered
    other = _report("一、概述\n我市梳理的100个政府失信问题已办结86个，解决拖欠款金额9.1亿余元。\n")
    assert "legacy_replies_total" not in _measures(other)
