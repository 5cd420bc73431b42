"""The whole pipeline (ingest → parse → dbt → GE checks → publish) on the bundled samples plus
bad files, into a temporary warehouse; then the marts are queried like an analyst would."""
import io
import re
import shutil
from contextlib import redirect_stdout

import duckdb
import pytest

from orchestration.cli import main
from tests.conftest import SAMPLES, SHARED


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    shutil.copytree(SAMPLES, raw / "samples")
    (raw / "junk").mkdir()
    (raw / "junk" / "binary.bin").write_bytes(bytes(range(256)) * 40)
    (raw / "junk" / "empty.txt").write_bytes(b"")
    (raw / "zz copies").mkdir()
    shutil.copy(SAMPLES / "huzhou-nanxun-district-2020-pipe-tables.txt", raw / "zz copies" / "南浔 copy.txt")
    db = tmp_path_factory.mktemp("data") / "nianbao.duckdb"
    home = tmp_path_factory.mktemp("dagster_home")
    mp = pytest.MonkeyPatch()
    mp.setenv("DAGSTER_HOME", str(home))
    printed = io.StringIO()
    try:
        with redirect_stdout(printed):
            code = main(["run", "--raw-dir", str(raw), "--db", str(db)])
    finally:
        mp.undo()
    assert code == 0, "nianbao run must exit 0 even with rejected files and failing rules"
    RUN["summary"], RUN["home"], RUN["db"] = printed.getvalue(), home, db
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


RUN: dict = {}  # what the warehouse fixture's run printed and where it kept things


def q(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def test_every_file_accounted_for(warehouse):
    rows = dict(q(warehouse, "select source_path, file_status from marts.dim_source_file"))
    assert len(rows) == 8
    assert rows["zz copies/南浔 copy.txt"] == "duplicate"
    assert rows["junk/binary.bin"] == "rejected"
    assert rows["junk/empty.txt"] == "rejected"
    reasons = dict(q(warehouse, "select source_path, reason from marts.dim_source_file where file_status <> 'parsed'"))
    assert all(reasons.values()), reasons
    assert sum(1 for p in rows if p.startswith("samples/")) == 5
    assert all(rows[p] == "parsed" for p in rows if p.startswith("samples/"))


def test_reports_status_agency_year(warehouse):
    got = {r[0]: r[1:] for r in q(warehouse, """
        select a.agency_name, r.report_year, r.template, r.parse_status, r.is_reconciled
        from marts.dim_report r left join marts.dim_agency a using (agency_id) where r.parse_status <> 'rejected'""")}
    assert got == {
        "湖州市南浔区人民政府": (2020, "2019", "complete", False),
        "盘锦市营商环境建设局": (2021, "2021", "complete", True),
        "衢州市营商环境建设办公室": (2020, "2019", "narrative_only", None),
        "衢州市行政服务中心": (2014, "pre2019", "narrative_only", None),
        "常州市政务服务管理办公室": (2023, "2021", "narrative_only", None),
    }


def test_facts_hold_leaf_cells_as_printed(warehouse):
    nanxun = "湖州市南浔区人民政府"
    got = dict(q(warehouse, """
        select f.flow, f.count from marts.fct_applications f join marts.dim_agency a using (agency_id)
        where a.agency_name = ? and f.applicant_type = 'natural_person'""", nanxun))
    assert got == {"new_received": 259, "carried_over_from_previous_year": 1, "carried_forward_to_next_year": 2}
    outcomes = dict(q(warehouse, """
        select o.outcome, o.count from marts.fct_application_outcomes o join marts.dim_agency a using (agency_id)
        where a.agency_name = ? and o.applicant_type = 'natural_person'""", nanxun))
    assert (outcomes["granted"], outcomes["unable_to_provide_not_held"], len(outcomes)) == (138, 62, 19)
    lit = dict(q(warehouse, """
        select l.result, l.count from marts.fct_litigation l join marts.dim_agency a using (agency_id)
        where a.agency_name = ? and l.proceeding = 'lawsuit_without_review'""", nanxun))
    assert lit == {"upheld": 0, "corrected": 1, "other": 13, "pending": 1}
    # printed totals are never facts
    assert q(warehouse, "select count(*) from marts.fct_applications where applicant_type = 'total'") == [(0,)]


def test_failing_rule_recorded_and_surfaced(warehouse):
    rows = q(warehouse, """
        select scope_id, left_value, right_value, passed from marts.fct_reconciliation r
        join marts.dim_report d using (report_id)
        where r.rule = 't3_column_balance' and d.report_year = 2020 and d.parse_status = 'complete'
        order by scope_id""")
    failed = {r[0]: r[1:3] for r in rows if r[3] is False}
    assert failed == {"natural_person": (260.0, 261.0), "total": (267.0, 268.0)}
    checks = dict(q(warehouse, "select rule, reports_failed from marts.reconciliation_check_results"))
    assert checks["t3_column_balance"] == 1 and checks["t3_row_total"] == 0
    named = q(warehouse, """select agency_name, report_year, source_path, scope_label_zh, left_value, right_value
                            from marts.reconciliation_failures where rule = 't3_column_balance' order by scope_id""")
    path = "samples/huzhou-nanxun-district-2020-pipe-tables.txt"
    assert named == [("湖州市南浔区人民政府", 2020, path, "自然人", 260.0, 261.0),
                     ("湖州市南浔区人民政府", 2020, path, "总计", 267.0, 268.0)]
    # GE's verdict and the parse's agree on which reports are not reconciled
    assert q(warehouse, "select distinct report_id from marts.reconciliation_failures where severity = 'error'") == \
        q(warehouse, "select report_id from marts.dim_report where is_reconciled = false")


def test_summary_names_failures_and_rejected_files_and_defines_statuses(warehouse):
    text = RUN["summary"]
    for status in ("complete", "partial", "narrative_only", "metadata_only", "rejected"):
        assert re.search(rf"^    {status} +\d+  \S", text, re.M), f"status {status} not listed with a definition"
    assert "rejected: junk/binary.bin — " in text and "rejected: junk/empty.txt — " in text
    error_part = text[text.index("error rules"):text.index("warning rules")]
    assert "t3_column_balance" in error_part
    warning_part = text[text.index("warning rules"):text.index("first reports failing")]
    assert "t3_column_balance" not in warning_part and "not evaluated" in warning_part
    assert "湖州市南浔区人民政府 2020  samples/huzhou-nanxun-district-2020-pipe-tables.txt" in text
    assert "自然人 260 ≠ 261" in text
    query = text[text.index("select rule, agency_name"):text.index("order by rule, agency_name, report_year") + 39]
    assert q(warehouse, query.replace("\n      ", " "))[0][:2] == ("t3_column_balance", "湖州市南浔区人民政府")
    docs = RUN["db"].parent / "nianbao-data-docs" / "index.html"
    assert f"Great Expectations Data Docs: {docs}" in text and docs.exists()


def test_check_metadata_names_failing_reports_and_skips_rules_with_nothing_to_compare(warehouse):
    import dagster as dg

    with dg.DagsterInstance.from_config(str(RUN["home"])) as instance:
        keys = [dg.AssetCheckKey(dg.AssetKey(["reconciliation_validation"]), r[0])
                for r in q(warehouse, "select rule from marts.reconciliation_check_results")]
        records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    status = {k.name: r.status.value for k, r in records.items()}
    assert status["t3_column_balance"] == "FAILED" and status["t3_row_total"] == "SUCCEEDED"
    # nothing to compare in the samples: planned, never evaluated (the UI shows it skipped)
    assert status["legacy_fee_sum"] == "PLANNED" and status["t3_cross_year_carryover"] == "PLANNED"
    evaluation = records[next(k for k in keys if k.name == "t3_column_balance")].event.dagster_event.event_specific_data
    table = evaluation.metadata["first_failing_reports"]
    assert [(r.data["agency_name"], r.data["report_year"], r.data["source_path"], r.data["left_value"], r.data["right_value"])
            for r in table.records] == [
        ("湖州市南浔区人民政府", 2020, "samples/huzhou-nanxun-district-2020-pipe-tables.txt", 260.0, 261.0),
        ("湖州市南浔区人民政府", 2020, "samples/huzhou-nanxun-district-2020-pipe-tables.txt", 267.0, 268.0)]
    assert "marts.reconciliation_failures" in evaluation.metadata["all_failures_query"].value


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_run_report_renders_offline_in_chromium_and_shows_the_marts(warehouse, tmp_path):
    import dagster as dg
    import lxml.html
    from PIL import Image

    from nianbao.overview.charts import BAR
    from tests.chromium import render

    report = RUN["db"].parent / "nianbao-report.html"
    assert f"run report:  {report}" in RUN["summary"]
    with dg.DagsterInstance.from_config(str(RUN["home"])) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(["published_warehouse"]))
    assert event.asset_materialization.metadata["run_report"].path == str(report)

    shot = tmp_path / "report.png"
    page = render(report, screenshot=shot)
    assert page.page_requests == []  # the page loads nothing (file:// navigation is not a request)
    dom = lxml.html.fromstring(page.dom)
    for section in ("overview", "coverage", "parse-status", "requests", "rules"):
        assert dom.get_element_by_id(section).xpath("h2|div"), f"section {section} is empty"
    assert all(dom.get_element_by_id(s).xpath(".//svg//rect") for s in ("parse-status", "requests", "rules"))

    shown = {(tr.get("data-agency"), int(td.get("data-year"))): int(td.text)
             for tr in dom.xpath('//table[@id="coverage-by-agency"]//tr[@data-agency]') for td in tr.xpath("td[@data-year]")}
    assert shown == {(a, y): n for a, y, n in q(warehouse, "select agency_name, report_year, n_reports from marts.mart_agency_year")}
    assert len(shown) == 5 and shown[("湖州市南浔区人民政府", 2020)] == 1

    statuses = {tr.get("data-status"): _number(tr.xpath("td")[0].text) for tr in dom.xpath("//tr[@data-status]")}
    in_marts = dict(q(warehouse, "select parse_status, count(*) from marts.dim_report group by 1"))
    assert statuses == {s: in_marts.get(s, 0) for s in ("complete", "partial", "narrative_only", "metadata_only", "rejected")}

    by_year = {int(tr.get("data-year")): [td.text_content() for td in tr.xpath("td")[:2]]
               for tr in dom.xpath('//table[@id="requests-by-year"]//tr[@data-year]')}
    received = q(warehouse, "select sum(requests_received) from marts.mart_agency_year where report_year = 2020")[0][0]
    assert by_year[2020][0] == f"{received:,}"
    granted, processed = q(warehouse, """select sum(requests_granted + requests_partially_granted), sum(requests_processed)
                                          from marts.mart_agency_year where report_year = 2020 and requests_processed > 0""")[0]
    assert processed > 0 and by_year[2020][1] == f"{granted / processed:.0%}"
    assert q(warehouse, "select sum(requests_processed) from marts.mart_agency_year where report_year = 2021") == [(0,)]
    assert by_year[2021][1] == "—"  # nothing processed: no rate, not 0 %
    assert dom.xpath('//table[@id="requests-by-province"]//tr[@data-province="辽宁省"]')

    failing = [tr.get("data-rule") for tr in dom.xpath('//table[@id="failing-rules"]//tr[@data-rule]')]
    assert failing == [r for (r,) in q(warehouse, """select rule from marts.reconciliation_check_results
                                                     where outcome = 'failed' order by reports_failed desc, rule""")]
    assert "t3_column_balance" in failing
    docs_link = dom.get_element_by_id("rules").xpath(".//a/@href")
    assert docs_link == ["nianbao-data-docs/index.html"] and (report.parent / docs_link[0]).exists()

    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 2400)
    bar = tuple(int(BAR[i:i + 2], 16) for i in (1, 3, 5))
    assert bar in {colour for _, colour in image.getcolors(maxcolors=1 << 20)}, "no chart bar drawn on screen"


def test_chromium_check_sees_a_page_that_loads_from_the_network(tmp_path):
    from tests.chromium import render

    page = tmp_path / "cdn.html"
    page.write_text('<html><body><img src="http://cdn.example.invalid/x.png"></body></html>', encoding="utf-8")
    assert "http://cdn.example.invalid/x.png" in render(page).page_requests


def test_narrative_figures_are_facts_with_source_narrative(warehouse):
    got = dict(q(warehouse, """
        select a.agency_name, f.count from marts.fct_applications f join marts.dim_agency a using (agency_id)
        where f.source = 'narrative'"""))
    assert got == {"衢州市营商环境建设办公室": 1, "衢州市行政服务中心": 0}


def _contract_tables():
    """Table → columns named in the contract's dimension table, plus the fact grains/measures."""
    text = (SHARED / "docs" / "warehouse-contract.md").read_text("utf-8")
    tables = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*`marts\.(\w+)`\s*\|([^|]*)\|([^|]*)\|", line)
        if not m:
            continue
        name, grain, cols = m.groups()
        top = re.sub(r"\([^)]*\)", "", cols)  # drop parenthesised explanations and values
        names = set(re.findall(r"`(\w+)`", top))
        if name.startswith("fct_"):
            names |= set(re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", grain))) | {"report_id", "agency_id", "report_year", "source"}
        tables[name] = names
    return tables


FACT_GRAINS = {  # the × parts of the facts' grains, written as words in the contract
    "fct_applications": {"applicant_type", "flow", "count"},
    "fct_application_outcomes": {"applicant_type", "outcome", "count"},
    "fct_litigation": {"proceeding", "result", "count"},
    "fct_proactive_disclosure": {"item", "measure", "value"},
    "fct_reconciliation": {"rule", "left_value", "right_value", "difference", "passed"},
    "mart_agency_year": {"agency_id", "report_year"},
}


def test_every_contract_table_and_column_exists(warehouse):
    contract = _contract_tables()
    assert {"dim_source_file", "dim_report", "dim_agency", "fct_applications"} <= contract.keys()
    for table, cols in FACT_GRAINS.items():
        contract.setdefault(table, set()).update(cols)
    actual = {}
    for table, column in q(warehouse, "select table_name, column_name from information_schema.columns where table_schema = 'marts'"):
        actual.setdefault(table, set()).add(column)
    for table, cols in contract.items():
        assert table in actual, f"marts.{table} missing"
        assert cols <= actual[table], f"marts.{table} lacks {sorted(cols - actual[table])}"
