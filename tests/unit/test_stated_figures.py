"""Figures 2019+ reports state in prose (format-spec §2.4): facts when the table is missing,
narrative_table_consistency (tables 三 and 四) when both exist."""
from __future__ import annotations

from nianbao.parse.model import Cell
from nianbao.parse.pipeline import parse_bytes
from nianbao.parse.rules import narrative_consistency
from nianbao.parse.stated_figures import figure_for_row, find_prose_figures

SEED_001 = "001_e2088ef8146a25db.txt"


def _seed(shared_dir, name: str) -> str:
    return (shared_dir / "seeds" / name).read_text("utf-8")


def _parse_text(text: str, name: str = "report.txt"):
    return parse_bytes(text.encode("utf-8"), name)


def _narrative(r):
    return {(c.table_id, c.row_id, c.col_id): c.value for c in r.cells if c.source == "narrative"}


def test_seeds_000_003_004_yield_their_prose_figures(shared_dir):
    got = {name: _narrative(parse_bytes((shared_dir / "seeds" / name).read_bytes(), name))
           for name in ("000_badecb0576f5d59e.txt", "003_db442462a16c13eb.txt", "004_062ddeea1ee84d73.txt")}
    assert got == {
        "000_badecb0576f5d59e.txt": {("t3", "new_received", "unspecified"): 1},     # 收到依申请公开政府信息1条
        "003_db442462a16c13eb.txt": {("t3", "new_received", "unspecified"): 0},     # 未收到申请公开政府信息的申请
        "004_062ddeea1ee84d73.txt": {("t3", "total_processed", "unspecified"): 9},  # 處理依申請公開9件
    }


def test_seed_001_prose_and_tables_agree(shared_dir):
    r = _parse_text(_seed(shared_dir, SEED_001))
    checks = {x.scope_id: (x.left_value, x.right_value, x.passed) for x in r.rules
              if x.rule == "narrative_table_consistency"}
    assert checks == {
        "total_processed": (266, 266, True), "granted": (142, 142, True), "partially_granted": (20, 20, True),
        "denied_unspecified": (21, 21, True), "unable_to_provide_unspecified": (75, 75, True),
        "not_processed_unspecified": (8, 8, True),
    }
    assert not _narrative(r)  # the tables are the facts


def test_litigation_sentence_is_compared_with_table_4(shared_dir):
    # seed 001's table 四: 行政复议 总计 25; lawsuits 15 (direct) + 1 (after review)
    text = _seed(shared_dir, SEED_001).replace(
        "全年无责任追究情况。", "全年无责任追究情况。全年发生政府信息公开行政复议25件,行政诉讼16件。")
    r = _parse_text(text)
    checks = {x.scope_id: (x.left_value, x.right_value, x.passed) for x in r.rules
              if x.rule == "narrative_table_consistency"}
    assert checks["administrative_review"] == (25, 25, True)
    assert checks["lawsuit_unspecified"] == (16, 16, True)
    off = _parse_text(text.replace("行政诉讼16件", "行政诉讼12件"))
    bad = next(x for x in off.rules if (x.rule, x.scope_id) == ("narrative_table_consistency", "lawsuit_unspecified"))
    assert (bad.left_value, bad.right_value, bad.passed) == (12, 16, False)
    assert off.is_reconciled is False  # unchanged: seed 001 fails t3_column_balance; the warning adds nothing


def test_litigation_becomes_narrative_facts_when_table_4_is_lost(shared_dir):
    text = _seed(shared_dir, SEED_001)
    start = text.index("四、政府信息公开行政复议、行政诉讼情况")
    end = text.index("五、存在的主要问题及改进情况")
    text = text[:start] + "四、政府信息公开行政复议、行政诉讼情况\n本年度发生政府信息公开行政复议25件,行政诉讼16件。\n" + text[end:]
    r = _parse_text(text)
    assert _narrative(r) == {("t4", "administrative_review", "unspecified"): 25,
                             ("t4", "lawsuit_unspecified", "unspecified"): 16}
    assert sum(1 for c in r.cells if c.table_id == "t3" and c.source == "table") == 23 * 7
    assert r.parse_status == "partial"


def test_zero_litigation_statement():
    figures = find_prose_figures("本年度未发生因政府信息公开引起的行政复议、行政诉讼案件。")
    assert {(f.table_id, f.row_id, f.value) for f in figures} == {
        ("t4", "administrative_review", 0), ("t4", "lawsuit_unspecified", 0)}


def test_prose_figure_by_row_id_is_compared_like_the_crosswalk_says():
    cells = [Cell("t4", "administrative_review", "total", 7.0), Cell("t4", "lawsuit_without_review", "total", 9.0),
             Cell("t4", "lawsuit_after_review", "total", 0.0)]
    got = narrative_consistency([figure_for_row("administrative_review", 7, "行政复议7件"),
                                 figure_for_row("lawsuit_unspecified", 10, "诉讼10件")], cells)
    assert [(x.scope_id, x.passed) for x in got] == [("administrative_review", True), ("lawsuit_unspecified", False)]
    blank = [Cell("t4", "administrative_review", "total", None)]
    assert narrative_consistency([figure_for_row("administrative_review", 7)], blank) == []


def test_already_public_answers_count_as_granted_in_a_2019_report():
    # a 2022 report whose table 三 was lost, its prose in the old words (莆田市统计局 2022):
    # 予以公开 (2021 template) = 属于已主动公开 + 同意公开
    text = ("莆田市某某局2022年政府信息公开工作年度报告\n一、总体情况\n2022年我局共受理依申请公开信息15件，"
            "均为网络申请。15件依申请公开信息已按规定进行受理并答复，其中属于已主动公开答复数1件，"
            "同意公开答复数9件，\n非我局职能或无相关统计数据无法提供数\n5件。\n")
    assert _narrative(_parse_text(text)) == {
        ("t3", "new_received", "unspecified"): 15, ("t3", "granted", "unspecified"): 10,
        ("t3", "unable_to_provide_unspecified", "unspecified"): 5}
    # 已主动公开 alone is not all of 予以公开: not read as granted
    alone = text.replace("同意公开答复数9件，", "")
    assert ("t3", "granted", "unspecified") not in _narrative(_parse_text(alone))
