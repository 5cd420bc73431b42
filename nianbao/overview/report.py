"""The run report: one static HTML page beside the published warehouse (``<name>-report.html``)
with the pictures people would rather look at than query — which agencies reported for which
years, reports by parse status, requests and grant rates by year and province, and the rules that
fail most. Read from the documented marts only; inline SVG and CSS, no script, and a
Content-Security-Policy that forbids the page to load anything, so it opens offline."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape
from pathlib import Path

import duckdb

from nianbao.checks.tables import CHECK_RESULTS
from nianbao.overview.charts import ERROR, WARN, columns_with_rate, heat, horizontal_bars, inline_bar, number, percent
from nianbao.parse.model import PARSE_STATUSES
from nianbao.run.companions import write_file_atomically
from nianbao.run.settings import Settings

LISTED_AGENCIES = 200  # rows of the agency × year grid; the rest are one query away
LISTED_RULES = 15
NO_PROVINCE = {"central": "中央 (central bodies)", None: "(place not read)"}

# the grant rate of mart_agency_year.share_granted_full_or_partial, summed over agency-years
GRANTED = "coalesce(requests_granted, 0) + coalesce(requests_partially_granted, 0)"
RATE_SUMS = f"""sum(requests_received) as received,
                sum({GRANTED}) filter (where requests_processed > 0) as granted,
                sum(requests_processed) filter (where requests_processed > 0) as processed,
                count(*) as agency_years"""

STYLE = """
body { font: 14px/1.45 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 24px 32px; color: #111; max-width: 1100px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #ccc; }
.meta, .note { color: #555; } .note { font-size: 13px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 3px 8px; border: 1px solid #ddd; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.grid td { text-align: center; min-width: 30px; padding: 2px 4px; }
.chart text { font-size: 12px; fill: #222; } .chart .axis { fill: #555; } .chart .rate { fill: #2f8f5b; }
.totals span { display: inline-block; margin-right: 28px; } .totals b { font-size: 20px; display: block; }
code, pre { background: #f4f4f4; padding: 1px 4px; } pre { padding: 8px; overflow-x: auto; }
.legend i { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _province(province: str | None, admin_level: str | None) -> str:
    return province or NO_PROVINCE.get(admin_level, NO_PROVINCE[None])


def _rate(granted, processed) -> float | None:
    return float(granted) / float(processed) if processed else None


def _overview(con, settings: Settings) -> str:
    files = con.execute("select count(*) from marts.dim_source_file").fetchone()[0]
    reports, agencies = con.execute("select count(*), count(distinct agency_id) filter (where parse_status <> 'rejected') "
                                    "from marts.dim_report").fetchone()
    years = con.execute("select min(report_year), max(report_year) from marts.mart_agency_year").fetchone()
    failing = con.execute("select count(*) from marts.dim_report where is_reconciled = false").fetchone()[0]
    span = f"{years[0]}–{years[1]}" if years[0] is not None else "—"
    totals = [("files seen", number(files)), ("reports", number(reports)), ("agencies", number(agencies)),
              ("report years", span), ("reports failing an error rule", number(failing))]
    return ('<section id="overview"><div class="totals">'
            + "".join(f"<span><b>{escape(v)}</b>{escape(k)}</span>" for k, v in totals) + "</div></section>")


def _coverage(con) -> str:
    rows = con.execute("""select province, admin_level, agency_name, report_year, n_reports from marts.mart_agency_year
                          order by province nulls last, agency_name, report_year""").fetchall()
    years = sorted({r[3] for r in rows})
    by_place: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_agency: dict[tuple[str, str], dict[int, int]] = defaultdict(dict)
    for province, level, agency, year, n in rows:
        by_place[_province(province, level)][year] += 1
        by_agency[(_province(province, level), agency)][year] = n
    head = "".join(f'<th class="n">{y}</th>' for y in years)
    peak = max((n for counts in by_place.values() for n in counts.values()), default=1)
    place_rows = "".join(
        f"<tr><th>{escape(place)}</th>" + "".join(f'<td class="n"{heat(counts.get(y, 0), peak)}>{counts.get(y) or ""}</td>'
                                                   for y in years) + "</tr>"
        for place, counts in by_place.items())
    agency_rows = []
    for (place, agency), counts in list(by_agency.items())[:LISTED_AGENCIES]:
        cells = "".join(f'<td class="c" data-year="{y}"{heat(counts[y], 2)}>{counts[y]}</td>' if y in counts else "<td></td>"
                        for y in years)
        agency_rows.append(f'<tr data-agency="{escape(agency)}"><td>{escape(place)}</td><th>{escape(agency)}</th>'
                           f"{cells}</tr>")
    more = len(by_agency) - LISTED_AGENCIES
    rest = (f'<p class="note">… and {more:,} more agencies: <code>select agency_name, report_year, n_reports from '
            "marts.mart_agency_year order by province, agency_name, report_year</code></p>") if more > 0 else ""
    return f"""<section id="coverage"><h2>Coverage: agencies × years</h2>
<p class="note">Agencies with a report for each year (marts.mart_agency_year: non-rejected reports whose agency
and year were read), by province.</p>
<table class="grid" id="coverage-by-province"><tr><th>province</th>{head}</tr>{place_rows}</table>
<p class="note">Each agency: the number of reports it published for the year (empty: none; more than 1, darker:
the figures come from one of them, the others are listed in marts.dim_report).</p>
<table class="grid" id="coverage-by-agency"><tr><th>province</th><th>agency</th>{head}</tr>{"".join(agency_rows)}</table>
{rest}</section>"""


def _parse_status(con) -> str:
    counts = dict(con.execute("select parse_status, count(*) from marts.dim_report group by 1").fetchall())
    items = [(status, counts.get(status, 0), f"{status}: {counts.get(status, 0):,} report(s) — {text}")
             for status, text in PARSE_STATUSES.items()]
    defs = "".join(f'<tr data-status="{s}"><th>{s}</th><td class="n">{counts.get(s, 0):,}</td><td>{escape(t)}</td></tr>'
                   for s, t in PARSE_STATUSES.items())
    return f"""<section id="parse-status"><h2>Reports by parse status</h2>
{horizontal_bars(items)}
<table>{defs}</table></section>"""


def _requests(con) -> str:
    by_year = con.execute(f"select report_year, {RATE_SUMS} from marts.mart_agency_year group by 1 order by 1").fetchall()
    points = [(year, float(received or 0), _rate(granted, processed)) for year, received, granted, processed, _ in by_year]
    year_rows = "".join(
        f'<tr data-year="{y}"><th>{y}</th><td class="n">{number(rec)}</td><td class="n">{percent(_rate(g, p))}</td>'
        f'<td>{inline_bar(_rate(g, p))}</td><td class="n">{n:,}</td></tr>' for y, rec, g, p, n in by_year)
    by_province = con.execute(f"""select province, admin_level, {RATE_SUMS} from marts.mart_agency_year
                                  group by all order by received desc nulls last, province""").fetchall()
    places: dict[str, list] = {}
    for province, level, received, granted, processed, n in by_province:
        sums = places.setdefault(_province(province, level), [0, 0, 0, 0])
        for i, v in enumerate((received, granted, processed, n)):
            sums[i] += v or 0
    peak = max((s[0] for s in places.values()), default=1) or 1
    province_rows = "".join(
        f'<tr data-province="{escape(place)}"><th>{escape(place)}</th><td class="n">{number(rec)}</td>'
        f'<td>{inline_bar(rec / peak, colour="#3b6ea5", width=160)}</td><td class="n">{percent(_rate(g, p))}</td>'
        f'<td>{inline_bar(_rate(g, p))}</td><td class="n">{n:,}</td></tr>'
        for place, (rec, g, p, n) in places.items())
    return f"""<section id="requests"><h2>Requests and grant rates by year and province</h2>
<p class="note">Requests received (新收政府信息公开申请, table 三) summed over agency-years; grant rate = requests granted in
full or in part (予以公开 + 部分公开) ÷ requests processed, over the agency-years that processed any
(mart_agency_year.share_granted_full_or_partial, pooled).</p>
<p class="legend"><i style="background:#3b6ea5"></i>requests received <i style="background:#2f8f5b"></i>granted in full or part</p>
{columns_with_rate(points)}
<table id="requests-by-year"><tr><th>year</th><th class="n">requests received</th><th class="n">granted</th><th></th>
<th class="n">agency-years</th></tr>{year_rows}</table>
<table id="requests-by-province"><tr><th>province</th><th class="n">requests received</th><th></th><th class="n">granted</th>
<th></th><th class="n">agency-years</th></tr>{province_rows}</table></section>"""


def _rules(con, settings: Settings) -> str:
    rules = con.execute(f"""select rule, severity, outcome, reports_failed, rows_failed, rows_evaluated, statement_zh
                            from {CHECK_RESULTS.qualified} order by reports_failed desc, rule""").fetchall()
    failing = [r for r in rules if r[2] == "failed"][:LISTED_RULES]
    idle = [r[0] for r in rules if r[2] == "not_evaluated"]
    passed = sum(1 for r in rules if r[2] == "passed")
    chart = horizontal_bars([(r[0], r[3], f"{r[0]} ({r[1]}): {r[3]:,} report(s) fail — {r[6]}") for r in failing],
                            colours=[ERROR if r[1] == "error" else WARN for r in failing], label_width=230) \
        if failing else "<p>No rule fails.</p>"
    rows = "".join(f'<tr data-rule="{escape(r[0])}"><th>{escape(r[0])}</th><td>{r[1]}</td><td class="n">{r[3]:,}</td>'
                   f'<td class="n">{r[4]:,} of {r[5]:,}</td><td>{escape(r[6] or "")}</td></tr>' for r in failing)
    docs = settings.data_docs_dir / "index.html"
    link = (f'<p class="note">Every rule\'s expectations and failing rows: the Great Expectations Data Docs, '
            f'<a href="{escape(docs.relative_to(settings.report_path.parent).as_posix())}">{escape(docs.name)} '
            f"in {escape(settings.data_docs_dir.name)}</a>.</p>") if docs.exists() else ""
    return f"""<section id="rules"><h2>The rules that fail most</h2>
<p class="legend"><i style="background:{ERROR}"></i>error rule (a report failing it is not reconciled)
<i style="background:{WARN}"></i>warning rule</p>
{chart}
<table id="failing-rules"><tr><th>rule</th><th>severity</th><th class="n">reports failing</th><th class="n">rows failing</th>
<th>rule (勾稽关系)</th></tr>{rows}</table>
<p class="note">{passed} rule(s) passed; not evaluated (no report gives their figures): {escape(", ".join(idle)) or "none"}.
Every failing report, named: <code>select * from marts.reconciliation_failures</code>.</p>
{link}</section>"""


def render_report(con: duckdb.DuckDBPyConnection, settings: Settings) -> str:
    """The report's HTML, from the marts ``con`` reads."""
    generated = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>nianbao run report — {escape(settings.db_path.name)}</title><style>{STYLE}</style></head>
<body><h1>nianbao run report</h1>
<p class="meta">Warehouse <code>{escape(str(settings.db_path))}</code>, published {generated}.
Everything below is read from its marts (schema <code>marts</code>).</p>
{_overview(con, settings)}
{_parse_status(con)}
{_requests(con)}
{_rules(con, settings)}
{_coverage(con)}
</body></html>
"""


def write_run_report(settings: Settings) -> Path:
    """Write the report of the published warehouse to ``settings.report_path`` (atomically)."""
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        page = render_report(con, settings)
    return write_file_atomically(settings.report_path, page)
