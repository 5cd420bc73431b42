{{ config(severity='warn') }}
-- Data finding, not a failure: a table-二 roll-forward (t2_2021_in_force_rollforward,
-- t2_2019_item_rollforward, format-spec §2.3) does not hold between an agency's consecutive
-- reports. 修改、清理、失效 and reorganisations break it often, so: warn.

select report_id, agency_id, report_year, related_report_id, related_report_year, rule, scope_id, note
from {{ ref('fct_reconciliation') }}
where rule in ('t2_2021_in_force_rollforward', 't2_2019_item_rollforward')
  and passed = false
