-- Cross-report rule t3_cross_year_carryover (format-spec §2.3, severity from the vocabulary):
--   二、上年结转 of year N = 四、结转下年度继续办理 of year N−1, same agency, per column.
--
-- Evaluated for every non-rejected annual report (document_kind annual_report) of year N whose
-- agency has a non-rejected annual report of year N−1, once per column (each applicant column and the printed 总计 `total`) where both
-- cells are present (value not null). A column present in only one of the two years is not
-- evaluated (no row).
--
-- An agency with more than one report for a year: every year-N report is compared with every
-- year-(N−1) report of the agency (all pairs, nothing is skipped). related_report_id names the
-- year-(N−1) report, so (report_id, rule, scope_id, related_report_id) is unique and the result
-- is deterministic.

with flow_cells as (
    select report_id, agency_id, report_year, flow, col_id, value
    from {{ ref('int_t3_flow_cells') }}
    where agency_id is not null
      and report_year is not null
      and value is not null
      -- annual reports only: a half-year statistic or work summary carries nothing over
      and report_id in (
          select report_id from {{ ref('int_reports') }}
          where coalesce(document_kind, 'annual_report') = 'annual_report'
      )
),

carried_over as (
    select * from flow_cells where flow = 'carried_over_from_previous_year'
),

carried_forward as (
    select * from flow_cells where flow = 'carried_forward_to_next_year'
),

agencies as (
    select distinct agency_id, agency_name
    from {{ ref('int_reports') }}
    where agency_id is not null
)

select
    cur.report_id,
    cur.agency_id,
    cur.report_year,
    't3_cross_year_carryover' as rule,
    cur.col_id as scope_id,
    cur.value as left_value,
    prev.value as right_value,
    cur.value - prev.value as difference,
    cur.value = prev.value as passed,
    prev.report_id as related_report_id,
    prev.report_year as related_report_year,
    format(
        '{}: 上年结转 {} (report {}) = {} vs 结转下年度 {} (report {}) = {}, column {}',
        a.agency_name, cur.report_year, cur.report_id, cur.value,
        prev.report_year, prev.report_id, prev.value, cur.col_id
    ) as note
from carried_over as cur
inner join carried_forward as prev
    on prev.agency_id = cur.agency_id
   and prev.report_year = cur.report_year - 1
   and prev.col_id = cur.col_id
left join agencies as a
    on a.agency_id = cur.agency_id
