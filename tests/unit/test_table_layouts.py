"""Regression tests for the table readers, one per bug found by the round-trip generator.

Each test feeds a few flattened lines (as a report prints them) through the real tokeniser
and table readers, and checks the cells read — or that an ambiguous row is reported
unreadable rather than guessed.
"""
from __future__ import annotations

from nianbao.parse.model import Cell
from nianbao.parse.rules import evaluate_report_rules, narrative_consistency
from nianbao.parse.stated_figures import figure_for_row
from nianbao.parse.tables import read_table3, read_table4
from nianbao.parse.tokens import Line, tokenise

T4_HEADER = [
    "行政复议 | 行政诉讼 |",
    "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |",
    "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |",
]


def _lines(text: str) -> list[Line]:
    return [Line(s) for s in text.split("\n")]


def _t3(text: str, template: str = "2019"):
    return read_table3(tokenise(_lines(text)), template)


def _cells(read) -> dict[tuple[str, str], float | None]:
    return {(c.row_id, c.col_id): c.value for c in read.cells}


def _row(read, row: str) -> list[float | None]:
    cols = ["natural_person", "commercial_enterprise", "research_institution", "social_welfare_organization",
            "legal_service_agency", "other_organization", "total"]
    got = _cells(read)
    return [got.get((row, c), "missing") for c in cols]


# ---------------------------------------------------------------- tokeniser

def test_tab_row_keeps_its_leading_empty_fields():
    """A spreadsheet row whose first cells are blank: strip() used to eat the leading tabs."""
    read = read_table4(tokenise(_lines("\n".join(
        [s.replace(" | ", "\t").rstrip(" |") for s in T4_HEADER] + ["\t0\t1\t0\t1\t\t\t\t0\t1\t0\t0\t0\t1\t1"]))))
    got = {(c.row_id, c.col_id): c.value for c in read.cells}
    assert got[("administrative_review", "upheld")] == 0.0  # the blank first cell
    assert got[("administrative_review", "corrected")] == 0.0
    assert got[("administrative_review", "other")] == 1.0
    assert got[("administrative_review", "total")] == 1.0
    assert got[("lawsuit_after_review", "total")] == 1.0


def test_pipe_row_starting_with_a_blank_cell():
    """`` | 0 | …``: outside a Markdown table a leading pipe follows an empty first cell."""
    read = read_table4(tokenise(_lines("\n".join(T4_HEADER + [" | 0 | 0 | 0 | 0 |  |  |  |  | 0 |  | 0 |  |  | 0 |"]))))
    assert len(read.cells) == 15 and not read.rows_unreadable
    got = {(c.row_id, c.col_id): c.value for c in read.cells}
    assert got[("administrative_review", "upheld")] == 0.0
    assert got[("administrative_review", "total")] == 0.0
    assert got[("lawsuit_without_review", "total")] == 0.0


def test_markdown_row_opens_with_a_pipe():
    read = read_table4(tokenise(_lines("\n".join([
        "| 行政复议 |  |  |  |  | 行政诉讼 |", "|---|---|---|---|---|---|",
        "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 结果维持 |",
        "| 1 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 2 | 2 |"]))))
    got = {(c.row_id, c.col_id): c.value for c in read.cells}
    assert got[("administrative_review", "upheld")] == 1.0
    assert got[("lawsuit_after_review", "total")] == 2.0


def test_page_number_lines_inside_a_table_are_dropped():
    read = read_table4(tokenise(_lines("\n".join([
        "行政复议 行政诉讼", "结果维持 结果纠正 其他结果 尚未审结 总计", "- 3 -",
        "1 0 0 0 1 0 0 0 0 0 0 0 0 0 0"]))))
    assert len(read.cells) == 15 and not read.rows_unreadable
    assert tokenise(_lines("第 3 页 共 12 页")) == []


# ---------------------------------------------------------------- table 三

def test_2019_other_processing_with_a_blank_first_cell_in_a_grid():
    """（六）其他处理 is a leaf in 2019: a blank cell after it is its own cell, not a placeholder."""
    lines = [Line("", ["三、本年度办理结果", "(一)予以公开", None, "1", "0", "0", "0", "0", "0", "1"]),
             Line("", [None, "(六)其他处理", None, "", "", "", "", "2", "", "2"]),
             Line("", [None, "(七)总计", None, "1", "0", "0", "0", "2", "0", "3"])]
    read = read_table3(tokenise(lines), "2019")
    assert _row(read, "other_processing") == [0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 2.0]
    assert "other_processing" in read.rows_read


def test_2019_other_processing_printed_all_blank():
    """A leaf row printed entirely blank (SH19 style: zeros blank, leaf 总计 blank)."""
    lines = [Line("", ["三、本年度办理结果", "(一)予以公开", None, "1", "0", "0", "0", "0", "0", "1"]),
             Line("", [None, "(六)其他处理", None, "", "", "", "", "", "", ""]),
             Line("", [None, "(七)总计", None, "1", "0", "0", "0", "0", "0", "1"])]
    read = read_table3(tokenise(lines), "2019")
    assert _row(read, "other_processing") == [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, None]


def test_cell_per_line_group_label_placeholder_is_not_a_cell():
    """PJ21: a lone ``|`` after a group label is a rowspan placeholder before its first leaf."""
    text = "\n".join(["(三)不予公开 |", "|", "1.属于国家秘密 |"] + ["0 |"] * 6 + ["1 |", "||"])
    read = _t3("三、本年度办理结果 |\n(一)予以公开 |\n" + "0 |\n" * 7 + "||\n" + text, "2021")
    assert _row(read, "denied_state_secret") == [0.0] * 6 + [1.0]


def test_tab_row_with_label_span_debris_and_a_blank_total():
    """Tab export: the slot a label spans is an empty field before the values, and a blank 总计
    at the end is a real cell — trimming must drop the debris, not the total."""
    read = _t3("\n".join([
        "一、本年新收政府信息公开申请数量\t\t\t3\t0\t0\t0\t0\t0\t3",
        "\t(六)其他处理\t\t\t\t\t\t\t1\t",
        "\t(七)总计\t\t2\t\t\t\t\t1\t3",
    ]))
    assert _row(read, "other_processing") == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, None]
    # every cell of （七）总计 is a printed total: blank there means "not printed"
    assert _row(read, "total_processed") == [2.0, None, None, None, None, 1.0, 3.0]


def test_values_between_the_two_lines_of_a_wrapped_label():
    """huaian-2024 style: the numbers sit between the first and second line of a long label."""
    read = _t3("\n".join([
        "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1",
        "(五)不予处理",
        "4.无正当理由大量反复申请 0 0 0 0 0 0 0",
        "5.要求行政机关确认或重",
        "1 0 0 0 0 0 1",
        "新出具已获取信息",
        "结",
        "(六)其他处理 0 0 0 0 0 0 0",
    ]))
    assert _row(read, "not_processed_confirm_or_reissue") == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    assert _row(read, "other_processing") == [0.0] * 7


def test_run_together_row_recovered_only_when_unique():
    read = _t3("一、本年新收政府信息公开申请数量 713000074\n二、上年结转政府信息公开申请数量 1111111")
    assert _row(read, "new_received") == [71.0, 3.0, 0.0, 0.0, 0.0, 0.0, 74.0]
    assert any(n.code == "run_together_recovered" for n in read.notes)
    # 1|1|1|1|1|1|11? no: 1+1+1+1+1 = 5 ≠ 1 … several splits or none satisfy the total → unreadable
    assert "carried_over_from_previous_year" in read.rows_unreadable
    assert ("carried_over_from_previous_year", "total") not in _cells(read)


# ---------------------------------------------------------------- rules

def test_unreadable_leaf_row_keeps_outcome_sum_unevaluated():
    """A leaf row that could not be read is still part of （七）总计: the sum is not evaluated
    (it used to be evaluated without the row and reported as failing)."""
    cells = [Cell("t3", "total_processed", "total", 5.0), Cell("t3", "granted", "total", 3.0)]
    results = evaluate_report_rules(cells, {"t3": {"unable_to_provide_not_held"}})
    outcome = [r for r in results if r.rule == "t3_outcome_sum" and r.scope_id == "total"]
    assert outcome and outcome[0].passed is None
    figures = [figure_for_row("unable_to_provide_unspecified", 2.0, "无法提供2件")]
    assert narrative_consistency(figures, cells, {"unable_to_provide_not_held"}) == []


def test_pdf_prose_lines_run_on_for_the_figure_reader():
    """A PDF text layer wraps a paragraph at the margin, inside the words of a figure."""
    from nianbao.parse.pipeline import _prose_text

    lines = ["(二)依申请公开情况。全年共办结政府信息公开申请件16件,本年度新收政府信",
             "息公开申请14件。依法予以公开10件,不予处理1", "件。", "三、收到和处理政府信息公开申请情况"]
    text = _prose_text(lines, "pdf")
    assert "本年度新收政府信息公开申请14件" in text and "不予处理1件" in text
    assert text.endswith("\n三、收到和处理政府信息公开申请情况")
    assert _prose_text(lines, "text") == "\n".join(lines)


def test_run_together_split_agrees_with_brute_force():
    """The memoised splitter finds exactly what trying every cut finds (unique or nothing)."""
    import random
    from itertools import combinations

    from nianbao.parse.tables import recover_run_together

    def brute(digits, groups):
        width, n, found = sum(groups), len(digits), None
        for cuts in combinations(range(1, n), width - 1):
            bounds = (0, *cuts, n)
            pieces = [digits[a:b] for a, b in zip(bounds, bounds[1:])]
            if any(len(p) > 1 and p[0] == "0" for p in pieces):
                continue
            values, pos = [int(p) for p in pieces], 0
            if all(sum(values[pos + sum(groups[:k]):pos + sum(groups[:k + 1]) - 1])
                   == values[sum(groups[:k + 1]) - 1] for k in range(len(groups))):
                if found is not None:
                    return None
                found = values
        return found

    rng = random.Random(3)
    for _ in range(300):
        groups = rng.choice([[7], [5, 5, 5], [3], [2, 3]])
        values = []
        for g in groups:
            xs = [rng.choice([0, 0, 1, 2, rng.randint(0, 120)]) for _ in range(g - 1)]
            values += xs + [max(0, sum(xs) + (rng.choice([-1, 1]) if rng.random() < 0.2 else 0))]
        digits = "".join(map(str, values))
        if len(digits) <= 16:
            assert recover_run_together(digits, groups) == brute(digits, groups), (digits, groups)


def test_document_lines_keep_rows_aligned_with_odd_characters():
    """A text line holding a newline, or a cell holding the internal separator characters,
    must not shift later lines between text and grid rows."""
    from nianbao.parse.pipeline import document_lines
    from nianbao.readers.document import Document, TableBlock, TextBlock

    doc = Document(blocks=[TextBlock(["标题", "甲\n乙"]),
                           TableBlock([["行政许可", "1\x1f2", None], ["行政处罚", "\x1e", "3"]]),
                           TextBlock(["四、政府信息公开行政复议、行政诉讼情况"])])
    lines, _ = document_lines(doc)
    assert [ln.text for ln in lines][:3] == ["标题", "甲", "乙"]
    assert lines[3].cells == ["行政许可", "1 2", None] and lines[4].cells == ["行政处罚", " ", "3"]
    assert lines[5].cells is None and lines[5].text.startswith("四、")


def test_fast_normalisation_equals_the_reference():
    """The fast paths of normalisation (NFKC by regex, pinyin debris without look-behind)
    give exactly what unicodedata / the reference regex give."""
    import random
    import unicodedata

    from nianbao.parse.normalise import _PINYIN_DEBRIS, nfkc, strip_pinyin_debris

    rng = random.Random(5)
    pool = ["（", "）", "：", "１", "㈠", "①", "\u3000", "ｶ", "ﾞ", "é", "e\u0301", "ᄀ", "ᅡ", "ﾡ", "ﾢ", "가",
            "\u11a8", "Ⅳ", "㎡", "業(yè)", "x(ab)", "(", ")", "a", "1", "國", "\U0002f800", "\ufa10"]
    for _ in range(3000):
        t = "".join(rng.choice(pool) if rng.random() < 0.6 else chr(rng.randint(0x4e00, 0x9fff))
                    for _ in range(rng.randint(0, 25)))
        assert nfkc(t) == unicodedata.normalize("NFKC", t), repr(t)
        assert strip_pinyin_debris(t) == _PINYIN_DEBRIS.subn("", t), repr(t)


def test_a_running_header_between_the_lines_of_a_wrapped_label():
    """pdftotext's page furniture lands between a label's two lines, its row's values before it:
    "2.其他法律行政法规禁止 0000000" / "北京市东城区财政局门户网站" / "公开" (round trip seed 3362684)."""
    read = _t3("\n".join([
        "一、本年新收政府信息公开申请数量 2 0 0 0 0 0 2",
        "1.属于国家秘密 0 0 0 0 0 0 0",
        "2.其他法律行政法规禁止 1 0 0 0 0 0 1",
        "北京市东城区财政局门户网站",
        "公开",
        "3.危及“三安全一稳定” 0 0 0 0 0 0 0",
    ]))
    assert _row(read, "denied_prohibited_by_law") == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    assert not any(n.code == "values_without_label" for n in read.notes)


def test_a_label_wrapped_one_character_after_its_numbering():
    """"(二)部" / values / "分公开(区分处理的…)": Word broke the label after one character; the
    character is the label's first line, not a glyph of a vertically printed group label."""
    read = _t3("\n".join([
        "一、本年新收政府信息公开申请数量", "2", "0", "0", "0", "0", "0", "2",
        "(一)予以公开", "1", "0", "0", "0", "0", "0", "1",
        "(二)部", "分公开(区分处理的,只计这一情况,不计其他情况)", "1", "0", "0", "0", "0", "0", "1",
        "(三)不予公开", "1.属于国家秘密", "0", "0", "0", "0", "0", "0", "0",
    ]))
    assert _row(read, "partially_granted") == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    assert not any(n.code == "values_without_label" for n in read.notes)


def test_values_under_an_unknown_label_are_not_given_to_the_next_row():
    """A local row the vocabulary does not know ("(八)本地其他 3 … 3") followed by a known one:
    its values stay unrecorded (with a note), never attached to the known row."""
    read = _t3("\n".join([
        "一、本年新收政府信息公开申请数量 8 0 0 0 0 0 8",
        "(八)本地其他",
        "3 0 0 0 0 0 3",
        "1.本机关不掌握相关政府信息 5 0 0 0 0 0 5",
    ]))
    assert _row(read, "unable_to_provide_not_held") == [5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0]
    assert any(n.code == "values_without_label" for n in read.notes)


def test_pinyin_reading_wrapped_over_a_pdf_line_break():
    """A PDF text layer wraps a line inside "公开(kāi)": the reading goes, the line break stays
    (accuracy run, seed 2: two PDF reports lost the prose figure 本年度新收…申请N件)."""
    from nianbao.parse.normalise import normalise_text, strip_pinyin_debris

    assert strip_pinyin_debris("新收政府信息公开(k\nāi)申请4件") == ("新收政府信息公开\n申请4件", 1)
    assert strip_pinyin_debris("公开(kāi\n)申请") == ("公开\n申请", 1)
    assert strip_pinyin_debris("附件(a\nb)") == ("附件\n", 1)
    assert strip_pinyin_debris("见下\n(a)申请") == ("见下\n(a)申请", 0)  # a line that opens with "(a)" stays
    assert strip_pinyin_debris("新收政府信息公开\n(kāi)申请392件") == ("新收政府信息公开\n申请392件", 1)  # a toned one goes
    assert strip_pinyin_debris("abc(abcd\nefgh)") == ("abc(abcd\nefgh)", 0)
    # a wrapped row label holding its row's figures between its two lines
    assert strip_pinyin_debris("1.本机关(guān\n1010002\n)不掌握") == ("1.本机关\n1010002\n不掌握", 1)
    assert strip_pinyin_debris("1.本机关(guān 0 0 1\n)不掌握") == ("1.本机关 0 0 1\n不掌握", 1)
    assert normalise_text("公开(k\nāi)申请").text.split("\n") == ["公开", "申请"]


# ---------------------------------------------------------------- flattened pages (issue 15, item 1)

FLAT_T3 = ("三、收到和处理政府信息公开申请情况(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) 申请人情况 "
           "自然人 法人或其他组织 总计 商业 企业 科研 机构 社会公益组织 法律服务机构 其他 "
           "一、本年新收政府信息公开申请数量 713000074二、上年结转政府信息公开申请数量 1000001三、本年度办理结果 "
           "(一)予以公开 210000021(二)部分公开(区分处理的,只计这一情形,不计其他情形) 8100009(三)不予公开 "
           "1.属于国家秘密00000002.其他法律行政法规禁止公开 00000003.危及“三安全一稳定” 00000004.保护第三方合法权益 "
           "00000005.属于三类内部事务信息 10000016.属于四类过程性信息 20000027.属于行政执法案卷 10000018.属于行政查询事项 "
           "0000000(四)无法提供 1.本机关不掌握相关政府信息 3700000372.没有现成信息需要另行制作 00000003.补正后申请内容仍不明确 "
           "0000000(五)不予处理 1.信访举报投诉类申请 00000002.重复申请 00000003.要求提供公开出版物 "
           "00000004.无正当理由大量反复申请 00000005.要求行政机关确认或重新出具已获取信息 0000000(六)其他处理 "
           "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 20000022.申请人逾期未按收费通知要求缴纳费用、"
           "行政机关不再处理其政府信息公开申请 00000003.其他 0200002(七)总计 723000075四、结转下年度继续办理 0000000")


def test_flattened_page_rows_found_by_their_labels():
    """A whole table on one line, cells run together and into the next row's numbering
    (real corpus 17): every row is found by its label and split by its printed total."""
    read = _t3(FLAT_T3, "2021")
    assert _row(read, "new_received") == [71.0, 3.0, 0.0, 0.0, 0.0, 0.0, 74.0]
    assert _row(read, "granted") == [21.0, 0.0, 0.0, 0.0, 0.0, 0.0, 21.0]  # after 三、本年度办理结果 on the same line
    assert _row(read, "denied_state_secret") == [0.0] * 7  # "00000002.其他…": the 2 numbers the next row
    assert _row(read, "denied_internal_affairs") == [1.0] + [0.0] * 5 + [1.0]  # "10000016.属于四类…"
    assert _row(read, "unable_to_provide_not_held") == [37.0] + [0.0] * 5 + [37.0]
    assert _row(read, "other_miscellaneous") == [0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 2.0]  # "00000003.其他 0200002"
    assert _row(read, "total_processed") == [72.0, 3.0, 0.0, 0.0, 0.0, 0.0, 75.0]
    assert _row(read, "carried_forward_to_next_year") == [0.0] * 7
    assert not read.rows_unreadable


def test_word_pieces_cut_where_a_label_begins():
    from nianbao.parse.tokens import word_pieces

    assert word_pieces("数量713000074二、上年结转") == (("label", "数量"), ("value", "713000074"), ("label", "二、上年结转"))
    assert word_pieces("3200000326.属于四类") == (("value", "320000032"), ("label", "6.属于四类"))
    assert word_pieces("(三)不予公开1.属于国家秘密4000004") == (
        ("label", "(三)不予公开"), ("label", "1.属于国家秘密"), ("value", "4000004"))
    assert word_pieces("三、本年度办理结果(一)予以公开") == (("label", "三、本年度办理结果"), ("label", "(一)予以公开"))
    assert word_pieces("行政处罚2648-18538") == (("label", "行政处罚"), ("value", "2648"), ("value", "-18538"))
    # one cell: a number with its unit or a short note, a numbering alone, a year in a label
    assert word_pieces("13准予撤诉") == (("value", "13准予撤诉"),)
    assert word_pieces("2131.212万元") == (("value", "2131.212万元"),)
    assert word_pieces("2.") == (("label", "2."),)
    assert word_pieces("2019年项目数量") == (("label", "2019年项目数量"),)
    assert word_pieces("第二十条第(一)项信息内容") == (("label", "第二十条第(一)项信息内容"),)


def test_prose_cut_at_its_numbers_is_not_a_row():
    """A piece of prose that starts with a row's words ("…428项行政许可事项清单,深化…。") is not
    that row: its next number is not a cell. A row label at the end of a piece still is."""
    from nianbao.parse.tables import read_table2

    prose = "公布全市2023版428项行政许可事项清单,深化涉企经营许可管理。制定创业兴业等26项改革方案。"
    read = read_table2(tokenise(_lines(prose)), "2021")
    assert read.cells == []
    read = _t3("一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n"
               "及时公布重大事件,三类内部事务信息 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |")
    assert _row(read, "denied_internal_affairs") == [2.0] + [0.0] * 5 + [2.0]


def test_section_heading_glued_after_the_last_cell():
    from nianbao.parse.sections import split_glued_headings

    assert split_glued_headings("(七)总计 723000075四、结转下年度继续办理 0000000四、政府信息公开行政法复议、行政诉讼情况行政复议") \
        == ["(七)总计 723000075四、结转下年度继续办理 0000000", "四、政府信息公开行政法复议、行政诉讼情况行政复议"]
    assert split_glued_headings("政府集中采购39573802895.90元三、收到和处理政府信息公开申请情况") \
        == ["政府集中采购39573802895.90元", "三、收到和处理政府信息公开申请情况"]


# ---------------------------------------------------------------- rows read by their totals (items 1–3)

def test_word_line_breaks_inside_numbers_are_joined_by_the_total():
    """Word breaks a number over two lines (real corpus 12: 160 0 0 2 0 0 1 / 62 = …|162)."""
    read = _t3("\n".join(["一、本年新收政府信息公开申请数量", "160", "0", "0", "2", "0", "0", "1", "62",
                          "(七)总计", "1", "60", "0", "0", "2", "0", "0", "1", "62",
                          "1.本机关不掌握相关政府信息", "2", "7", "0", "0", "1", "0", "0", "28"]), "2021")
    assert _row(read, "new_received") == [160.0, 0.0, 0.0, 2.0, 0.0, 0.0, 162.0]
    assert _row(read, "total_processed") == [160.0, 0.0, 0.0, 2.0, 0.0, 0.0, 162.0]
    assert _row(read, "unable_to_provide_not_held") == [27.0, 0.0, 0.0, 1.0, 0.0, 0.0, 28.0]
    assert any(n.code == "word_breaks_joined" for n in read.notes)


def test_stray_spaces_inside_a_run_are_cell_boundaries():
    """Real corpus 19: "200 000121" and "20 0 00 0 121" are 20|0|0|0|0|1|21."""
    read = _t3("一、本年新收政府信息公开申请数量200 000121二、上年结转政府信息公开申请数量0000000(七)总计20 0 00 0 121"
               "四、结转下年度继续办理 0 0 00 00 0")
    assert _row(read, "new_received") == [20.0, 0.0, 0.0, 0.0, 0.0, 1.0, 21.0]
    assert _row(read, "total_processed") == [20.0, 0.0, 0.0, 0.0, 0.0, 1.0, 21.0]
    assert _row(read, "carried_forward_to_next_year") == [0.0] * 7


def test_a_run_with_several_splits_gives_only_the_total_they_agree_on():
    """Real corpus 22: 330000033 is 33|0|0|0|0|0|33 or 3|30|0|0|0|0|33: the total 33 is certain,
    the cells are not; the count goes to the `unspecified` applicant column (a fact), the cells
    are not recorded."""
    read = _t3("一、本年新收政府信息公开申请数量 330000033\n二、上年结转政府信息公开申请数量 1111111")
    got = _cells(read)
    assert got[("new_received", "total")] == 33.0 and got[("new_received", "unspecified")] == 33.0
    assert ("new_received", "natural_person") not in got
    assert read.rows_total_only == {"new_received"}
    assert "carried_over_from_previous_year" in read.rows_unreadable  # no split at all


DROPPED = ["一、本年新收政府信息公开申请数量", "46", "0", "46", "二、上年结转政府信息公开申请数量", "4", "0", "4",
           "三、本年度办理结果", "(一)予以公开", "11", "0", "11", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "0",
           "(三)不予公开", "1.属于国家秘密", "0", "2.其他法律行政法规禁止公开", "0", "(七)总计", "50", "0", "50",
           "四、结转下年度继续办理", "0"]


def test_rows_printed_without_their_blank_cells():
    """Real corpus 04: a row prints its non-empty cells and its total (46 0 46), a row of zeros
    a single 0. The total is certain, the columns of the cells are not; zeros are zeros."""
    read = _t3("\n".join(DROPPED), "2019")
    got = _cells(read)
    assert read.drops_blanks
    assert got[("new_received", "total")] == 46.0 and got[("new_received", "unspecified")] == 46.0
    assert ("new_received", "natural_person") not in got
    assert got[("total_processed", "total")] == 50.0 and ("total_processed", "unspecified") not in got
    assert _row(read, "partially_granted") == [0.0] * 7
    assert _row(read, "carried_forward_to_next_year") == [0.0] * 7


def test_a_short_row_in_an_ordinary_table_is_not_read_as_dropped_blanks():
    """One row printing fewer cells among full rows is damaged: it is not read (a lone 0 could
    hide lost cells, 8 0 8 a lost total)."""
    read = _t3("\n".join(["一、本年新收政府信息公开申请数量 8 0 0 0 0 0 8", "二、上年结转政府信息公开申请数量 0",
                          "(一)予以公开 5 0 0 0 0 0 5", "(二)部分公开 8 0 8", "(七)总计 13 0 0 0 0 0 13"]), "2019")
    assert not read.drops_blanks
    assert {"carried_over_from_previous_year", "partially_granted"} <= read.rows_unreadable


def test_cells_short_of_their_total_keep_the_printed_total_only_where_blanks_are_dropped():
    """Real corpus 03: 予以公开 prints 287 24 2 0 1 and 总计 315 (a cell lost in printing)."""
    read = _t3("\n".join(DROPPED[:9] + ["(一)予以公开", "287", "24", "2", "0", "1", "315"] + DROPPED[13:]), "2019")
    assert _cells(read)[("granted", "total")] == 315.0
    assert any(n.code == "cells_short_of_total" for n in read.notes)


def test_table4_printed_without_blank_cells_splits_by_its_group_totals():
    """Real corpus 03: 3 8 0 1 12 | 0 1 0 1 2 | 1 0 1 — the only way the 13 values make three
    groups whose last value is the sum of the others."""
    read = read_table4(tokenise(_lines("\n".join(T4_HEADER + "3 8 0 1 12 0 1 0 1 2 1 0 1".split()))), drops_blanks=True)
    got = {(c.row_id, c.col_id): c.value for c in read.cells}
    assert [got[("administrative_review", c)] for c in ("upheld", "corrected", "other", "pending", "total")] == [3, 8, 0, 1, 12]
    assert got[("lawsuit_without_review", "total")] == 2.0
    assert got[("lawsuit_after_review", "total")] == 1.0 and got[("lawsuit_after_review", "unspecified")] == 1.0
    assert ("lawsuit_after_review", "upheld") not in got
    # the same values in a report that prints every cell elsewhere: not read
    read = read_table4(tokenise(_lines("\n".join(T4_HEADER + "3 8 0 1 12 0 1 0 1 2 1 0 1".split()))))
    assert read.cells == [] and len(read.rows_unreadable) == 3


def test_table4_as_three_small_tables():
    """Real corpus 16 (OCR Markdown): one five-cell table per proceeding, named above it."""
    head = ["| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |", "|---|---|---|---|---|"]
    text = (["### 行政复议"] + head + ["| 27 | 10 | 9 | 15 | 61 |", "### 行政诉讼（未经复议直接起诉）"] + head
            + ["| 3 | 0 | 0 | 0 | 3 |", "### 行政诉讼（复议后起诉）"] + head + ["| 8 | 0 | 1 | 1 | 10 |"])
    got = {(c.row_id, c.col_id): c.value for c in read_table4(tokenise(_lines("\n".join(text)))).cells}
    assert got[("administrative_review", "total")] == 61.0 and got[("administrative_review", "pending")] == 15.0
    assert got[("lawsuit_without_review", "upheld")] == 3.0
    assert [got[("lawsuit_after_review", c)] for c in ("upheld", "corrected", "other", "pending", "total")] == [8, 0, 1, 1, 10]


def test_table2_runs_are_read_only_when_they_cannot_be_one_number():
    from nianbao.parse.tables import read_table2

    flat = "二、主动公开政府信息情况第二十条第(一)项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件6233440" \
           "第二十条第(五)项信息内容本年处理决定数量行政许可4529"
    got = {(c.row_id, c.col_id): c.value for c in read_table2(tokenise(_lines(flat)), "2021").cells}
    assert got == {("regulations", "issued_count"): 0.0, ("regulations", "repealed_count"): 0.0,
                   ("regulations", "in_force_count"): 0.0, ("licences", "decision_count"): 4529.0}
    # 2019 layout: one plain number where three cells are expected is neither split nor read as
    # the 2021 template's single column; zeros printed once where blanks are dropped are zeros
    read = read_table2(tokenise(_lines("行政许可396442278\n规章 0")), "2019", drops_blanks=True)
    got = {(c.row_id, c.col_id): c.value for c in read.cells}
    assert "licences" in read.rows_unreadable and ("licences", "decision_count") not in got
    assert got[("regulations", "total_published_count")] == 0.0


def test_split_digits_agrees_with_brute_force():
    """Cuts inside tokens (run together) and joins across them (Word breaks) find exactly the
    readings that trying every cut finds."""
    import random
    from itertools import combinations

    from nianbao.parse.row_values import split_digits

    def brute(tokens, groups, joins):
        digits = "".join(tokens)
        bounds = {sum(len(t) for t in tokens[:i]) for i in range(1, len(tokens))}
        width, n, out = sum(groups), len(digits), set()
        for cuts in combinations(range(1, n), width - 1):
            if joins and not set(cuts) <= bounds or not joins and not bounds <= set(cuts):
                continue
            edges = (0, *cuts, n)
            pieces = [digits[a:b] for a, b in zip(edges, edges[1:])]
            if any(len(p) > 1 and p[0] == "0" for p in pieces):
                continue
            values, ok, pos = [int(p) for p in pieces], True, 0
            for g in groups:
                ok &= sum(values[pos:pos + g - 1]) == values[pos + g - 1]
                pos += g
            if ok:
                out.add(tuple(values))
        return out

    rng = random.Random(9)
    for _ in range(400):
        groups = rng.choice([(7,), (5, 5, 5), (3,), (2, 3)])
        values = []
        for g in groups:
            xs = [rng.choice([0, 0, 1, 2, rng.randint(0, 150)]) for _ in range(g - 1)]
            values += xs + [sum(xs) + (rng.choice([-1, 1]) if rng.random() < 0.15 else 0)]
        if min(values) < 0:
            continue
        texts = [str(x) for x in values]
        joins = rng.random() < 0.5
        if joins:  # break some numbers over two lines
            tokens = []
            for t in texts:
                k = rng.randint(1, len(t) - 1) if len(t) > 1 and rng.random() < 0.4 else 0
                tokens += [t[:k], t[k:]] if k else [t]
        else:  # run some neighbours together
            tokens = [texts[0]]
            for t in texts[1:]:
                if rng.random() < 0.6:
                    tokens[-1] += t
                else:
                    tokens.append(t)
        if len("".join(tokens)) > 16:
            continue
        got = set(split_digits(tuple(tokens), groups, joins=joins, cap=10_000))
        assert got == brute(tokens, groups, joins), (tokens, groups, joins)


def test_markdown_rows_whose_labels_slipped_out_are_placed_by_the_template_order():
    """Real corpus 15 (PDF to Markdown): labels of some rows printed on lines of their own, their
    values left in label-less pipe rows. Between two rows read with their labels, the loose
    rows go to the rows without values, in order, only when they are as many; a label on a line
    of its own never takes the next pipe row."""
    text = "\n".join([
        "| 类别 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |", "|---|---|---|---|---|---|---|---|",
        "| 一、本年新收政府信息公开申请数量 | 9 | 1 | 0 | 0 | 0 | 0 | 10 |",
        "| 三、 | (一)予以公开 | 5 | 0 | 0 | 0 | 0 | 0 | 5 |",
        "| 2 | 1 | 0 | 0 | 0 | 0 | 3 |",  # (二)部分公开, its label below
        "(二)部分公开(区分处理的,只", "计这一情形,不计其他情形)",
        "2.其他法律行政法规禁", "止公开",
        "| 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "| 1 | 0 | 0 | 0 | 0 | 0 | 1 |",  # 2.其他法律行政法规禁止公开
        "1",  # a stray value on a line of text
        "| 3.危及“三安全一稳定” | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "3.补正后申请内容仍不", "明确",
        "| 4 | 0 | 0 | 0 | 0 | 0 | 4 |",  # a row with no place: between 3. and 4. the template has none
        "| 4.保护第三方合法权益 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |",
    ])
    read = _t3(text, "2021")
    assert _row(read, "partially_granted") == [2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 3.0]
    assert _row(read, "denied_prohibited_by_law") == [1.0] + [0.0] * 5 + [1.0]
    assert _row(read, "denied_third_party_rights") == [2.0] + [0.0] * 5 + [2.0]
    assert _row(read, "unable_to_provide_unclear_after_correction") == ["missing"] * 7
    assert sum(n.code == "row_placed_by_order" for n in read.notes) == 2


def test_group_label_on_the_line_of_its_first_wrapped_sub_row():
    """pdftotext layout: "(六)其他处理 1.申请人无正当理由" / values / "逾期不补正、…": the group takes
    no values itself, and the second line names the row the values belong to."""
    read = _t3("\n".join(["一、本年新收政府信息公开申请数量 12 0 0 0 0 0 12", "(六)其他处理 1.申请人无正当理由",
                          "12 0 0 0 0 0 12", "逾期不补正、行政机关不再处理其政府信息公开申请",
                          "3.其他 0 0 0 0 0 0 0"]), "2021")
    assert _row(read, "other_no_correction_overdue") == [12.0] + [0.0] * 5 + [12.0]
    assert _row(read, "other_miscellaneous") == [0.0] * 7
    assert "other_unspecified" not in {c.row_id for c in read.cells}


def test_table_labels_on_lines_of_their_own_are_not_prose():
    from nianbao.parse.tables import is_table_label

    for text in ("4.无正当理由大量反复申请", "(三)不予公开", "### 行政诉讼（未经复议直接起诉）", "行政许可", "结果维持"):
        assert is_table_label(text), text
    # (a PDF's margin wraps a sentence of counts where a line starts with a row's words: accuracy
    # run, cases 377 and 799, four prose figures lost)
    for text in ("全年未发生政府信息公开行政复议、行政诉讼案件。", "本年度共收到申请46件", "无。",
                 "予以公开22件,部分公开5件,不予公开2件,无法提供3"):
        assert not is_table_label(text), text
