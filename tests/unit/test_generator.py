"""The test-input generator itself (tests/generator): specs obey or break the rules exactly as
recorded, every format × layout renders a complete report, encodings and the PDF text layer are
right, and the expected-value conventions hold. Independent of the parser."""
from __future__ import annotations

import importlib
import io
import random
import re
import unicodedata
import zipfile
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings

from nianbao.vocabulary.loader import load
from tests.generator import (
    BREAKABLE_RULES,
    ENCODINGS,
    FORMATS,
    LAYOUTS,
    PERTURBATIONS,
    PROSE_MEASURES,
    TEXT_LAYOUTS,
    UnsupportedCombination,
    count_splits,
    evaluate_rules,
    expected_cells,
    expected_flags,
    expected_metadata,
    expected_status,
    expected_unreadable,
    random_case,
    random_spec,
    render,
    render_text,
    why_unsupported,
)
from tests.generator.render import TEMPLATE_DOCX, to_traditional
from tests.generator.spec import all_agency_names, t2_items, t2_measures, t3_cols, t3_rows, t4_cols, t4_rows
from tests.generator.strategies import broken_specs, specs

APPLICANTS = t3_cols()[:-1]


def _fold(text: str) -> str:
    """Width-fold and drop spaces, for asserting on labels whatever the punctuation style."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text))


def _spec(seed: int, template: str | None = None, **kw):
    return random_spec(random.Random(seed), template, **kw)


# ---------------------------------------------------------------- vocabulary axes

def test_axes_come_from_the_vocabulary():
    v = load()
    assert len(t3_rows("2019")) == 23 and len(t3_rows("2021")) == 25
    assert len(t3_cols()) == 7 and len(t4_rows()) * len(t4_cols()) == 15
    assert sum(len(t2_measures("2019", i)) for i in t2_items("2019")) == 22
    assert sum(len(t2_measures("2021", i)) for i in t2_items("2021")) == 10
    assert "other_proactive_documents" in t2_items("2019", local_row=True)
    assert set(t3_rows("2021")) <= {f.id for f in v.flows} | {o.id for o in v.outcomes} | {v.t3_total_row.id}


# ---------------------------------------------------------------- rules

def _direct_failures(spec) -> set[tuple[str, str]]:
    """The rules recomputed by plain arithmetic on the spec (blank non-totals are 0)."""
    t3 = lambda r, c: spec.t3[(r, c)] or 0  # noqa: E731
    leaves = [o.id for o in load().outcomes_for(spec.template)]
    out = set()
    for c in t3_cols():
        if t3("new_received", c) + t3("carried_over_from_previous_year", c) != \
                t3("total_processed", c) + t3("carried_forward_to_next_year", c):
            out.add(("t3_column_balance", c))
        if t3("total_processed", c) != sum(t3(r, c) for r in leaves):
            out.add(("t3_outcome_sum", c))
    for r in t3_rows(spec.template):
        if t3(r, "total") != sum(t3(r, c) for c in APPLICANTS):
            out.add(("t3_row_total", r))
    for p in t4_rows():
        if (spec.t4[(p, "total")] or 0) != sum(spec.t4[(p, c)] or 0 for c in t4_cols()[:-1]):
            out.add(("t4_group_total", p))
    cat = {o.id: o.group for o in load().outcomes}
    for m, fig in spec.prose.items():
        rows = [m] if m in ("new_received", "total_processed") else [r for r in leaves if cat[r] == m.removesuffix("_unspecified")]
        if fig != sum(t3(r, "total") for r in rows):
            out.add(("narrative_table_consistency", m))
    return out


@pytest.mark.parametrize("template", ["2019", "2021"])
def test_consistent_specs_satisfy_every_rule(template):
    for seed in range(150):
        spec = _spec(seed, template, blank_rate=(0.0, 0.4, 1.0)[seed % 3])
        assert spec.consistent and spec.broken_rule is None
        assert _direct_failures(spec) == set(), seed
        results = evaluate_rules(expected_cells(spec), spec.prose, template)
        assert not [k for k, ok in results.items() if ok is False], seed
        assert expected_flags(spec) == frozenset()
        assert all(v >= 0 for v in spec.t3.values() if v is not None)
        assert set(spec.prose) == set(PROSE_MEASURES)


@pytest.mark.parametrize("rule", BREAKABLE_RULES)
@pytest.mark.parametrize("template", ["2019", "2021"])
def test_inconsistent_specs_break_exactly_the_rule_they_record(rule, template):
    for seed in range(40):
        spec = _spec(seed, template, consistent=False, break_rule=rule)
        assert not spec.consistent and spec.broken_rule == rule and spec.broken
        want = {(rule, scope) for scope in spec.broken}
        assert _direct_failures(spec) == want, (seed, spec.broken)
        assert expected_flags(spec) == want
        results = evaluate_rules(expected_cells(spec), spec.prose, template)
        # the known amount: left − right of the rule in every broken scope
        for scope, diff in spec.broken.items():
            assert results[(rule, scope)] is False and diff != 0
        assert all(v >= 0 for v in spec.t3.values() if v is not None)
        assert all(v >= 0 for v in spec.t4.values() if v is not None)
        assert all(v >= 0 for v in spec.prose.values())


def test_broken_amounts_are_left_minus_right():
    spec = _spec(3, "2019", consistent=False, break_rule="t3_column_balance")
    for col, diff in spec.broken.items():
        t = lambda r: spec.t3[(r, col)] or 0  # noqa: E731, B023 (used in this iteration)
        assert t("new_received") + t("carried_over_from_previous_year") - t("total_processed") - t("carried_forward_to_next_year") == diff
    spec = _spec(4, "2021", consistent=False, break_rule="t4_group_total")
    for p, diff in spec.broken.items():
        assert spec.t4[(p, "total")] - sum(spec.t4[(p, c)] or 0 for c in t4_cols()[:-1]) == diff


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_specs())
def test_hypothesis_broken_specs(spec):
    assert expected_flags(spec) == {(spec.broken_rule, s) for s in spec.broken}


@settings(max_examples=40, deadline=None)
@given(specs(consistent=True))
def test_hypothesis_consistent_specs(spec):
    assert expected_flags(spec) == frozenset()


def test_blank_cells_and_blank_totals_keep_rules_from_being_evaluated():
    spec = _spec(11, "2019", consistent=False, break_rule="t3_outcome_sum")
    plain = expected_flags(spec)
    blanked = expected_flags(spec, "pipe", {"blank_cells"})
    assert ("t3_outcome_sum", "total") in plain and ("t3_outcome_sum", "total") not in blanked


# ---------------------------------------------------------------- no_separator

def _brute_splits(digits: str, groups: list[int]) -> int:
    width = sum(groups)
    n = 0
    for cuts in combinations(range(1, len(digits)), width - 1):
        b = (0, *cuts, len(digits))
        parts = [digits[x:y] for x, y in zip(b, b[1:])]
        if any(len(p) > 1 and p[0] == "0" for p in parts):
            continue
        vals, pos, ok = [int(p) for p in parts], 0, True
        for g in groups:
            chunk = vals[pos:pos + g]
            ok = ok and sum(chunk[:-1]) == chunk[-1]
            pos += g
        n += ok
    return n


def test_count_splits_matches_brute_force():
    rng = random.Random(0)
    for _ in range(300):
        vals = [rng.choice((0, 0, 0, 1, 2, 5, 7, 10, 13, 40, 71)) for _ in range(6)]
        if rng.random() < 0.3:
            vals[rng.randrange(6)] += rng.randint(100, 900)
        total = sum(vals) + (rng.choice((0, 0, 0, 1)))
        digits = "".join(map(str, vals + [total]))
        assert count_splits(digits, [7], cap=10**6) == _brute_splits(digits, [7]), digits
    assert count_splits("713000074", [7]) == 1  # 71|3|0|0|0|0|74, format-spec example


def test_no_separator_rows_read_as_far_as_every_reading_agrees():
    """A run of digits whose readings all agree gives its cells; one whose readings agree only
    on the total gives the total (and the count as `unspecified`); the others are unreadable."""
    from tests.generator.expected import expected_total_only, row_readings
    from tests.generator.readings import cut_readings

    found = set()
    for seed in range(60):
        spec = _spec(seed)
        readings = row_readings(spec, "no_separator")
        unread = expected_unreadable(spec, "no_separator")
        total_only = expected_total_only(spec, "no_separator")
        cells = expected_cells(spec, "no_separator")
        for (table, row), (kind, got) in readings.items():
            found.add(kind)
            if table != "t3":
                continue
            digits = "".join(str(spec.t3[(row, c)]) for c in t3_cols())
            splits = cut_readings((digits,), (7,), 100) if len(digits) <= 24 else []
            if kind == "cells":
                assert splits == [got] and got == tuple(spec.t3[(row, c)] for c in t3_cols())
                assert cells[("t3", row, "total")] == spec.t3[(row, "total")]
            elif kind == "total":
                assert len(splits) > 1 and {s[-1] for s in splits} == {got} and ("t3", row) in total_only
                assert cells[("t3", row, "total")] == got and ("t3", row, "natural_person") not in cells
            else:
                assert ("t3", row) in unread and ("t3", row, "total") not in cells
                assert not splits or len({s[-1] for s in splits}) > 1 or len(splits) > 16
        assert expected_unreadable(spec, "pipe") == set()
        assert expected_status(spec, "no_separator") == ("partial" if unread or total_only else "complete")
    assert {"cells", "total", "unreadable"} <= found


# ---------------------------------------------------------------- rendering

def _combos():
    for fmt in FORMATS:
        for layout in LAYOUTS[fmt]:
            for template in ("2019", "2021"):
                yield fmt, layout, template


@pytest.mark.parametrize("fmt,layout,template", list(_combos()))
def test_every_format_and_layout_renders(fmt, layout, template):
    spec = _spec(7, template, consistent=False)
    reason = why_unsupported(spec, layout, fmt)
    if reason:
        assert layout == "template" and (template == "2019" or not TEMPLATE_DOCX.is_file())
        with pytest.raises(UnsupportedCombination):
            render(spec, layout=layout, fmt=fmt)
        return
    name, data = render(spec, layout=layout, fmt=fmt)
    assert name.endswith("." + fmt) and len(data) > 1000
    if fmt == "pdf":
        assert data.startswith(b"%PDF-")
    elif fmt == "docx":
        assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()
    else:
        text = data.decode("utf-8")
        assert "总计" in text
        assert spec.agency in text or (spec.short_agency and spec.short_agency in text)
        for heading in ("总体情况", "收到和处理政府信息公开申请情况", "其他需要报告的事项"):
            assert heading in text


def _table_region(text: str) -> str:
    return text[text.index("三、收到和处理"):text.index("五、")]


def test_layout_shapes():
    spec = _spec(21, "2019", blank_rate=0.5)
    clean = _spec(21, "2019")
    rng = lambda: random.Random(5)  # noqa: E731
    pipe = _fold(render_text(spec, layout="pipe", rng=rng()))
    assert "第二十条第(一)项||||" in pipe  # colspan debris
    assert "(三)不予公开|1.属于国家秘密|" in pipe  # group label only on its first row
    assert "\n2.其他法律行政法规禁止公开|" in render_text(spec, layout="pipe", rng=rng()).replace(" ", "").translate(
        str.maketrans("（）", "()"))  # a later leaf of the rowspan: no group label before it
    cells = render_text(spec, layout="cell_per_line", rng=rng())
    lines = cells.splitlines()
    assert "|" in lines and "||" in lines and any(ln.endswith(" |") for ln in lines)
    nopipes = _table_region(render_text(clean, layout="lines_no_pipes", rng=rng()))
    assert "|" not in nopipes
    tab = render_text(spec, layout="tab", rng=rng())
    assert "\t\t" in tab
    md = render_text(spec, layout="markdown", rng=rng())
    assert "|---|" in md
    ws = render_text(clean, layout="whitespace", rng=rng())
    vals = [str(clean.t3[("new_received", c)]) for c in t3_cols()]
    assert re.search(r"本年新收政府信息公开申请数量\s+" + r"\s+".join(vals) + r"\s*$", _nfkc(ws), re.M)
    ns = _nfkc(render_text(clean, layout="no_separator", rng=rng()))
    assert "".join(vals) in ns
    t4_run = "".join(str(clean.t4[(p, c)]) for p in t4_rows() for c in t4_cols())
    assert re.search(r"^" + t4_run + r"$", ns, re.M)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def test_blank_free_layouts_refuse_blanks():
    spec = _spec(2, blank_rate=1.0)
    assert spec.has_blanks
    for layout in ("lines_no_pipes", "whitespace", "no_separator"):
        with pytest.raises(UnsupportedCombination):
            render(spec, layout=layout, fmt="txt")
        with pytest.raises(UnsupportedCombination):
            render(_spec(2), layout=layout, fmt="txt", perturbations={"blank_cells"})
    assert why_unsupported(_spec(2, "2021"), "pipe", "txt", {"extra_local_row"})
    assert why_unsupported(_spec(2, "2019"), "pipe", "txt", {"traditional_proper"}, "big5") is None
    assert why_unsupported(_spec(2, "2019"), "pipe", "txt", set(), "big5")
    assert why_unsupported(_spec(2, "2019"), "pipe", "txt", {"traditional_proper", "pinyin_debris"}, "big5")
    assert why_unsupported(_spec(2, "2019"), "template", "docx")


def test_html_markup_follows_the_template():
    spec = _spec(8, "2019", blank_rate=0.5)
    _, data = render(spec, layout="grid", fmt="html", rng=random.Random(2))
    html = data.decode("utf-8")
    for attr in ('rowspan="20"', 'rowspan="8"', 'rowspan="5"', 'colspan="7"', 'colspan="5"', 'colspan="10"'):
        assert attr in html, attr
    assert re.search(r"本年新<br ?/?>制作数量", html) and "&nbsp;" in html
    assert "<script" in html and "<nav>" in html and "<footer>" in html
    _, data21 = render(_spec(8, "2021"), layout="grid", fmt="html")
    assert 'rowspan="22"' in data21.decode("utf-8")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_encodings(encoding):
    spec = _spec(31, "2021")
    p = {"traditional_proper"} if encoding == "big5" else set()
    for fmt in ("txt", "html"):
        _, data = render(spec, layout="pipe" if fmt == "txt" else "grid", fmt=fmt, perturbations=p, encoding=encoding)
        if encoding == "utf-16":
            assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
        if encoding == "utf-8-sig":
            assert data.startswith(b"\xef\xbb\xbf")
        text = data.decode(encoding)
        assert "年度报告" in text or "年度報告" in text or "工作報告" in text or "工作报告" in text


def test_big5_output_decodes_as_big5():
    for seed in range(25):
        spec = _spec(seed)
        p = {"traditional_charlevel" if seed % 2 else "traditional_proper", "label_variants", "split_labels",
             "text_cells", "fullwidth_digits", "lost_glyphs", "spam_header"}
        if spec.show_metadata:
            p.add("repeated_metadata")
        for fmt, layout in (("txt", "pipe"), ("txt", "cell_per_line"), ("html", "grid")):
            _, data = render(spec, layout=layout, fmt=fmt, perturbations=p, encoding="big5")
            text = data.decode("big5")  # strict
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
            assert "報告" in text and "政府信息公開" in text
            if seed % 2:
                assert "屬于" in text  # character-level conversion leaves 于 (PJ21)


def test_pdf_text_extracts_and_contains_the_title():
    import pypdfium2

    from nianbao.readers.pdf import read_pdf

    for seed, layout, p in ((1, "grid", set()), (2, "whitespace", {"traditional_proper", "pinyin_debris"}),
                            (3, "no_separator", {"fullwidth_digits", "page_numbers"})):
        spec = _spec(seed)
        _, data = render(spec, layout=layout, fmt="pdf", perturbations=p, rng=random.Random(0))
        with pypdfium2.PdfDocument(data) as pdf:
            text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
        tables = read_pdf(data).tables
        assert text.strip() and "\ufffd" not in text
        compact = re.sub(r"\s", "", text)
        year = str(spec.report_year)
        title_agency = spec.agency if "traditional_proper" not in p else to_traditional(spec.agency)
        short = spec.short_agency and (to_traditional(spec.short_agency) if "traditional_proper" in p else spec.short_agency)
        assert year in compact and (title_agency in compact or (short and short in compact))
        assert ("报告" in compact) or ("報告" in compact)
        if layout == "grid":
            assert len(tables) >= 3  # ruled tables found by the reader
        else:
            assert not tables
        if "pinyin_debris" in p:
            assert re.search(r"\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùü]+)\)", text)
        if "page_numbers" in p:
            assert re.search(r"- 1 -", text)


@pytest.mark.parametrize("layout", LAYOUTS["pdf"])
def test_long_pdf_is_a_real_sized_report(layout):
    """long_document: a PDF of real size (4–8 A4 pages: prose pages, then the tables), with the
    page number and the running header on every page, and all three ruled tables found in grid."""
    import pypdfium2

    from nianbao.readers.pdf import read_pdf

    p = {"long_document", "page_numbers", "running_header"}
    pages_seen = []
    for seed in range(3):
        spec = _spec(60 + seed, "2021")
        _, data = render(spec, layout=layout, fmt="pdf", perturbations=p, rng=random.Random(seed))
        with pypdfium2.PdfDocument(data) as pdf:
            texts = [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in pdf]
        tables = read_pdf(data).tables
        pages_seen.append(len(texts))
        assert 4 <= len(texts) <= 8
        for n, text in enumerate(texts, 1):
            lines = text.splitlines()
            # (PDFium gives a page's text in drawing order: the furniture may come anywhere)
            assert any(line.strip() == f"- {n} -" for line in lines), (n, lines)
            assert any(spec.agency in line or "年度报告" in line for line in lines)
        prose = re.sub(r"\s", "", texts[0] + texts[1])
        assert "一、总体情况" in prose and "（一）主动公开情况" in prose
        assert "本年新收政府信息公开申请数量" not in re.sub(r"\s", "", texts[0])  # page 1 is prose only
        if layout == "grid":
            assert len(tables) >= 3
        else:
            assert not tables
    short = render(_spec(60, "2021"), layout=layout, fmt="pdf", perturbations={"page_numbers"}, rng=random.Random(0))[1]
    with pypdfium2.PdfDocument(short) as pdf:
        assert len(pdf) < min(pages_seen)


def test_long_document_adds_prose_not_values():
    spec = _spec(70, "2021")
    short = render_text(spec, layout="pipe", rng=random.Random(1))
    long = render_text(spec, layout="pipe", perturbations={"long_document"}, rng=random.Random(1))
    assert len(long) > 1.25 * len(short)
    assert expected_cells(spec, "pipe", {"long_document"}) == expected_cells(spec, "pipe")
    assert expected_flags(spec, "pipe", {"long_document"}) == expected_flags(spec, "pipe")
    # the added prose states no figure a parser could take for a request, review or lawsuit count
    r = importlib.import_module("tests.generator.render")
    added = [s for name in dir(r) if name.startswith("_LONG_") for s in getattr(r, name)]
    hanzi = lambda t: re.sub(r"[^\u4e00-\u9fff]", "", t)  # noqa: E731 (the txt rendering may fold punctuation)
    assert len(added) > 20 and sum(hanzi(sentence) in hanzi(long) for sentence in added) >= 5
    assert not [s for s in added if re.search(r"\d|申请|复议|诉讼|收费", s)]


def test_random_case_requires_perturbations():
    rng = random.Random(4)
    for fmt in FORMATS:
        for _ in range(3):
            case = random_case(rng, (fmt,), require=("long_document",))
            assert "long_document" in case.perturbations
    case = random_case(rng, ("pdf",), require=("long_document", "page_numbers"), perturbations=())
    assert case.perturbations == {"long_document", "page_numbers"}


def test_docx_tables_have_merged_cells():
    import docx

    spec = _spec(5, "2019")
    _, data = render(spec, layout="grid", fmt="docx")
    d = docx.Document(io.BytesIO(data))
    assert len(d.tables) == 3
    xml = d.tables[1]._tbl.xml
    assert 'w:vMerge w:val="restart"' in xml and 'w:gridSpan w:val="7"' in xml
    cells = [c.text for c in d.tables[1].rows[3].cells]
    assert cells[0].endswith("本年新收政府信息公开申请数量")
    assert cells[3:] == [str(spec.t3[("new_received", c)]) for c in t3_cols()]


@pytest.mark.skipif(not TEMPLATE_DOCX.is_file(), reason="shared/real-reports not beside the project")
def test_docx_template_is_filled():
    import docx

    spec = _spec(6, "2021")
    _, data = render(spec, layout="template", fmt="docx")
    d = docx.Document(io.BytesIO(data))
    row = [c.text for c in d.tables[1].rows[3].cells][-7:]
    assert row == [str(spec.t3[("new_received", c)]) for c in t3_cols()]
    t4 = [c.text for c in d.tables[2].rows[3].cells]
    assert t4 == [str(spec.t4[(p, c)]) for p in t4_rows() for c in t4_cols()]
    assert any(str(spec.report_year) in p.text and "年度报告" in p.text for p in d.paragraphs)


def test_render_is_deterministic():
    spec = _spec(9)
    a = render(spec, layout="pipe", fmt="txt", perturbations={"split_labels", "label_variants"})
    b = render(spec, layout="pipe", fmt="txt", perturbations={"split_labels", "label_variants"})
    assert a == b


def test_random_cases_always_render():
    for seed in range(60):
        case = random_case(random.Random(seed), ("txt", "html"))
        name, data = case.render()
        assert data and case.expected_cells() is not None
        assert case.expected_metadata()["report_year"] == case.spec.report_year


# ---------------------------------------------------------------- perturbations

def _text(spec, p, layout="pipe", seed=3):
    return render_text(spec, layout=layout, perturbations=frozenset(p), rng=random.Random(seed))


def test_each_perturbation_shows():
    s19, s21 = _spec(40, "2019", show_metadata=True), _spec(41, "2021", show_metadata=True)
    t = _text(s19, {"traditional_charlevel"})
    assert "規范性" in t and "屬于" in t and "補正后" in t
    t = _text(s19, {"traditional_proper"})
    assert "規範性" in t and "屬於" in t and "補正後" in t
    assert "档案" in _text(s21, {"zh_tw_phrases"}) and "規範性檔案" in _text(s21, {"zh_tw_phrases", "traditional_proper"})
    assert re.search(r"[業網務開發個關實現進國華民中態創數據]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùü]+\)",
                     _text(s21, {"pinyin_debris", "traditional_proper"}))
    t = _text(s19, {"spam_header"})
    assert any(w in t.split("\n")[0] for w in ("澳门", "欧洲杯", "皇冠", "AG", "棋牌"))
    t = _fold(_text(s19, {"lost_glyphs"}))
    assert f"{s19.report_year}11日至" in t and "1231日" in t and "〔2019" in t and "〔2019〕" not in t
    assert re.search("[０-９]", _text(s19, {"fullwidth_digits"}))
    assert any(re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", _table_region(_text(s19, {"split_labels"}, seed=k)))
               for k in range(5))
    variants = ("三类内容事务信息", "只计这一情况", "其他法律行政止公开", "危及三安全一稳定", "1、", "本年新 | 本年新",
                "设区的市")
    assert all(any(v in _fold(_text(s19, {"label_variants"}, seed=k)).replace("|", " | ") or v in _text(s19, {"label_variants"}, seed=k)
                   for v in variants) for k in range(8))
    t = _text(s19, {"repeated_metadata"})
    assert t.count(s19.index_number) >= 2
    assert "其他主动公开文件" in _text(s19, {"extra_local_row"})
    t = _text(s19, {"page_numbers"}, layout="whitespace")
    assert "- 1 -" in t
    t = _text(s19, {"missing_tables"})
    assert "本年新收政府信息公开申请数量" not in t and "二、主动公开" in t


def test_text_cells_expected_values():
    spec = _spec(50, "2019")
    spec.t2[("licences", "item_count_change")] = (-89, "减89")
    spec.t2[("procurement", "procurement_total_amount")] = (21312120, "2131.212万元")
    spec.t4[("lawsuit_without_review", "other")] = 13
    spec.t4[("lawsuit_without_review", "total")] = sum(spec.t4[("lawsuit_without_review", c)] for c in t4_cols()[:-1])
    want = expected_cells(spec, "pipe", {"text_cells"})
    assert want[("t2", "licences", "item_count_change")] == -89.0
    assert want[("t2", "procurement", "procurement_total_amount")] == 21312120.0
    assert want[("t4", "lawsuit_without_review", "other")] == 13.0
    with_text = _fold(_text(spec, {"text_cells"}))
    assert "减89" in with_text and "2131.212万元" in with_text
    plain = _fold(_text(spec, set()))
    assert "|-89|" in plain and "|21312120|" in plain
    s21 = _spec(51, "2021")
    s21.t2[("fees", "fee_amount")] = (96171.6, "96171.6万元")
    assert expected_cells(s21)[("t2", "fees", "fee_amount")] == 96171.6  # stays in 万元


def test_blank_conventions():
    spec = _spec(60, "2019", blank_rate=1.0)
    cells = expected_cells(spec)
    blank_leaf = [k for k, v in spec.t3.items() if v is None]
    assert blank_leaf and all(cells[("t3", r, c)] == 0.0 for r, c in blank_leaf)
    sh19 = expected_cells(spec, "pipe", {"blank_cells"})
    leaves = {o.id for o in load().outcomes_for("2019")}
    assert all(sh19[("t3", r, "total")] is None for r in leaves)
    assert sh19[("t3", "new_received", "total")] is not None


def test_missing_tables_expect_the_prose_figures():
    spec = _spec(70, "2021")
    cells = expected_cells(spec, "pipe", {"missing_tables"})
    assert set(cells) == {("t3", m, "unspecified") for m in PROSE_MEASURES}
    assert expected_status(spec, "pipe", {"missing_tables"}) == "narrative_only"
    assert expected_flags(spec, "pipe", {"missing_tables"}) == frozenset()
    text = _fold(_text(spec, {"missing_tables"}))
    assert f"{spec.prose['total_processed']}件" in text and f"{spec.prose['granted']}件" in text


def test_expected_metadata():
    spec = _spec(80, show_metadata=True)
    md = expected_metadata(spec, {"traditional_charlevel"})
    assert md == {"agency": spec.agency, "report_year": spec.report_year, "template": spec.template,
                  "original_script": "traditional", "published_on": spec.published_on,
                  "index_number": spec.index_number}
    assert re.fullmatch(r"11\w{16}/\d{4}-\d{5,6}", spec.index_number)
    hidden = _spec(80, show_metadata=False)
    assert expected_metadata(hidden)["published_on"] is None


def test_agency_names_and_labels_survive_script_round_trip():
    import opencc

    t2s = opencc.OpenCC("t2s")
    v = load()
    labels = [o.label_zh for o in v.outcomes] + [f.label_zh for f in v.flows] + [a.label_zh for a in v.applicant_types]
    for name in all_agency_names() + labels:
        assert t2s.convert(to_traditional(name)) == name, name
        assert t2s.convert(to_traditional(name, charlevel=True)) == name, name


def test_perturbation_list_is_complete():
    assert PERTURBATIONS >= {
        "traditional_proper", "traditional_charlevel", "zh_tw_phrases", "pinyin_debris", "spam_header",
        "lost_glyphs", "fullwidth_digits", "split_labels", "label_variants", "text_cells", "blank_cells",
        "repeated_metadata", "extra_local_row", "missing_tables", "page_numbers", "long_document", "running_header",
        "word_breaks", "slipped_labels"}
    assert set(TEXT_LAYOUTS) == {"pipe", "cell_per_line", "lines_no_pipes", "tab", "markdown", "whitespace", "no_separator",
                                 "flattened", "drop_blank", "ocr_markdown"}


# ---------------------------------------------------------------- layouts that print tokens, not cells

def test_drop_blank_rows_print_their_non_empty_cells_and_total():
    from tests.generator.printing import style, t3_tokens

    for seed in range(30):
        spec = _spec(seed)
        zero_cols = style(spec)["zero_cols"]
        for row in spec.t3_rows:
            cells = [spec.t3[(row, c)] for c in t3_cols()]
            tokens = t3_tokens(spec, "drop_blank", frozenset(), row)
            if not cells[-1]:
                assert tokens == ("0",)
            else:
                assert tokens[-1] == str(cells[-1])
                assert list(tokens[:-1]) == [str(v) for i, v in enumerate(cells[:-1]) if v or (v == 0 and i in zero_cols)]


def test_flattened_page_prints_the_body_on_one_line():
    spec = _spec(3, "2021")
    text = render_text(spec, layout="flattened")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    body = next(ln for ln in lines if "三、收到和处理政府信息公开申请情况" in ln)
    for marker in ("一、总体情况", "二、主动公开政府信息", "四、", "五、", "结果维持"):
        assert marker in body
    assert "".join(str(spec.t3[("new_received", c)]) for c in t3_cols()) in body.replace(" ", "")


def test_word_breaks_join_back_to_the_printed_numbers():
    from tests.generator.printing import t3_tokens

    broke = False
    for seed in range(20):
        spec = _spec(seed)
        for row in spec.t3_rows:
            tokens = t3_tokens(spec, "lines_no_pipes", frozenset({"word_breaks"}), row)
            assert "".join(tokens) == "".join(str(spec.t3[(row, c)]) for c in t3_cols())
            broke |= len(tokens) > 7
    assert broke
