"""The real-report corpus (../shared/real-reports/corpus, 24 reports as portals serve them) through
`nianbao run`, compared with its hand-made labels at the warehouse level (tests/real_corpus.py
says what is compared and what counts as right; `python bench/real_corpus_warehouse.py` prints the figures).

What the test asserts:
* no wrong value anywhere except the ones listed in KNOWN_WRONG, and each listed value is still
  not right (when one becomes right or unread, remove it from the list);
* agency and year right for every file but those in NOT_YET_RIGHT (same rule);
* every labelled table value right and every `null` label unread for every file with table
  labels, but those in NOT_YET_RIGHT (same rule).
The goal is both lists empty: then the test asserts every label. The lists name files and label
paths, never values: the only expected numbers are the labels file's.
"""
from __future__ import annotations

import duckdb
import pytest

from tests import real_corpus as rc
from tests.cells_reached import unreached_cells

# (file, label path) of values the warehouse holds wrong today — to be emptied, never grown.
KNOWN_WRONG: set[tuple[str, str]] = set()

# file -> what is not yet right there: "agency", "report_year", "tables".
NOT_YET_RIGHT: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus")
    rc.copy_corpus(work / "raw")
    code = rc.run_pipeline(work / "raw", work / "nianbao.duckdb", work / "dagster_home")
    assert code == 0, "nianbao run must complete on the real corpus"
    return work / "nianbao.duckdb"


@pytest.fixture(scope="module")
def scores(warehouse):
    result = rc.score_corpus(rc.read_warehouse(warehouse))
    print("\n" + rc.report(result))
    return result


def test_one_body_one_agency_id_across_years(warehouse):
    """Reports of the same body (by the labels' names) share an agency_id whatever form of the
    name each year's report prints; reports of different bodies do not."""
    held = rc.read_warehouse(warehouse)
    labels = [x for x in rc.load_labels() if held[x["file"]].agency_id is not None]
    assert len(labels) >= len(rc.load_labels()) - len(
        [f for f, kinds in NOT_YET_RIGHT.items() if "agency" in kinds])
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            same_id = held[a["file"]].agency_id == held[b["file"]].agency_id
            assert same_id == rc.same_body(a, b), (a["file"], b["file"], held[a["file"]].agency, held[b["file"]].agency)


def test_every_cell_read_reaches_the_facts(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert unreached_cells(con) == {}


def test_the_lists_name_labelled_files(scores):
    files = {fs.file for fs in scores}
    assert {f for f, _ in KNOWN_WRONG} <= files
    assert set(NOT_YET_RIGHT) <= files


def test_no_wrong_value_but_the_known_ones(scores):
    wrong = {(fs.file, s.path): s for fs in scores for s in fs.scores if s.verdict == "wrong"}
    new = {k: (v.got, v.label) for k, v in wrong.items() if k not in KNOWN_WRONG}
    assert not new, f"wrong values (got, label): {new}"
    fixed = sorted(KNOWN_WRONG - set(wrong))
    assert not fixed, f"no longer wrong: remove them from KNOWN_WRONG: {fixed}"


@pytest.mark.parametrize("what, kind", [("agency", "agency"), ("report_year", "year")])
def test_agency_and_year(scores, what, kind):
    not_right = {fs.file for fs in scores for s in fs.scores if s.kind == kind and s.verdict != "right"}
    expected = {f for f, kinds in NOT_YET_RIGHT.items() if what in kinds}
    assert not_right - expected == set(), f"{what} not right (regression): {sorted(not_right - expected)}"
    assert expected - not_right == set(), f"{what} now right: remove from NOT_YET_RIGHT: {sorted(expected - not_right)}"


def test_tables(scores):
    labelled = [fs for fs in scores if fs.has_table_labels]
    not_right = {fs.file for fs in labelled if not fs.tables_right}
    expected = {f for f, kinds in NOT_YET_RIGHT.items() if "tables" in kinds}
    regressed = {fs.file: [(s.path, s.got, s.label) for s in fs.scores
                           if s.kind.startswith("t") and s.verdict not in ("right", "null_unread")]
                 for fs in labelled if fs.file in not_right - expected}
    assert not regressed, f"tables no longer right (path, got, label): {regressed}"
    assert expected - not_right == set(), f"tables now right: remove from NOT_YET_RIGHT: {sorted(expected - not_right)}"
