{{ config(severity='warn') }}
-- Data finding, not a failure: 二、上年结转 (year N) differs from 四、结转下年度 (year N−1) for
-- the same agency and column. Breaks when agencies reorganise (format-spec §2.3), so: warn.

select report_id, agency_id, report_year, related_report_id, related_report_year, scope_id, note
from {{ ref('fct_reconciliation') }}
where rule = 't3_cross_year_carryover'
  and passed = false
