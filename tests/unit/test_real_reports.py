"""The two real PDF reports (../shared/real-reports) parse ``complete`` with the printed values.

Values spot-checked against the PDFs' text layer (pdfplumber ``extract_text``).
"""
import pytest

from nianbao.parse.pipeline import parse_bytes


def _parse(shared_dir, name):
    path = shared_dir / "real-reports" / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    r = parse_bytes(path.read_bytes(), name)
    return r, {(c.table_id, c.row_id, c.col_id): c.value for c in r.cells if c.source == "table"}


def test_huaian_2024(shared_dir):
    r, v = _parse(shared_dir, "huaian-2024.pdf")
    assert r.parse_status == "complete", r.rejection_reason
    assert (r.template, r.metadata.report_year) == ("2021", 2024)
    assert r.metadata.agency_name == "淮安市人民政府"  # title set on two lines
    assert sum(1 for k in v if k[0] == "t3") == 25 * 7
    assert v[("t3", "new_received", "natural_person")] == 3001
    assert v[("t3", "new_received", "total")] == 3119
    assert v[("t3", "partially_granted", "natural_person")] == 447  # label wrapped over two lines
    assert v[("t3", "unable_to_provide_not_held", "total")] == 769  # page break inside the table
    assert v[("t3", "not_processed_confirm_or_reissue", "natural_person")] == 1
    assert v[("t3", "other_no_correction_overdue", "total")] == 71  # "1、" numbering, three-line label
    assert v[("t3", "other_fee_unpaid_overdue", "natural_person")] == 6
    assert v[("t3", "other_miscellaneous", "total")] == 110
    assert v[("t3", "total_processed", "total")] == 3050
    assert v[("t3", "carried_forward_to_next_year", "total")] == 103
    assert [v[("t4", "administrative_review", c)] for c in ("upheld", "corrected", "other", "pending", "total")] \
        == [72, 64, 178, 37, 351]
    assert v[("t4", "lawsuit_after_review", "total")] == 20
    assert v[("t2", "penalties", "decision_count")] == 3985758
    assert v[("t2", "fees", "fee_amount")] == 96171.6
    assert r.is_reconciled is True


def test_hongze_2024(shared_dir):
    r, v = _parse(shared_dir, "hongze-2024.pdf")
    assert r.parse_status == "complete", r.rejection_reason
    assert (r.template, r.metadata.report_year) == ("2021", 2024)
    assert r.metadata.agency_name == "淮安市洪泽区人民政府"
    assert v[("t3", "new_received", "natural_person")] == 95
    assert v[("t3", "granted", "total")] == 50
    assert v[("t3", "partially_granted", "total")] == 9  # "只计这一情 形" with a stray space
    assert v[("t3", "denied_prohibited_by_law", "total")] == 0  # typo 其他法律行政止公开
    assert v[("t3", "denied_three_securities_one_stability", "total")] == 1
    assert v[("t3", "unable_to_provide_not_held", "total")] == 31
    assert v[("t3", "unable_to_provide_needs_creation", "total")] == 1
    # （六）其他处理 printed as one row (2019 style) in a 2021 report: only the category total
    assert v[("t3", "other_unspecified", "total")] == 0
    assert v[("t3", "total_processed", "total")] == 95
    assert [v[("t4", "lawsuit_after_review", c)] for c in ("upheld", "corrected", "other", "pending", "total")] \
        == [2, 0, 1, 0, 3]
    assert v[("t2", "licences", "decision_count")] == 9487
    assert v[("t2", "fees", "fee_amount")] == 7545
