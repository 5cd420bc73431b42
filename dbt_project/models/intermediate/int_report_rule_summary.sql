{{ config(materialized='incremental', incremental_strategy='agency_sync') }}
-- One row per report that has at least one reconciliation result: counts of evaluated, failed
-- and not-evaluated rules, and is_reconciled.
--
-- is_reconciled considers error-severity per-report rules only (vocabulary severity 'error',
-- scope 'report'): true when every evaluated one passed, false when any failed, null when none
-- was evaluated (all passed values null, or no such rule). Warn-severity rules
-- (narrative_table_consistency, t3_cross_year_carryover) never change it; they are counted in
-- n_warnings_failed.
--
-- Incremental by agency (macros/agency_sync.sql): the cross-year rules tie a report's rows to
-- the other reports of its agency, so the rows of the changed reports and of every report of an
-- affected agency are recomputed. Every fct_reconciliation row of a report carries the report's
-- agency_id, so filtering rows by agency keeps each recomputed report's rows whole.

select
    report_id,
    max(agency_id) as agency_id,
    count(*) filter (where severity = 'error' and rule_scope = 'report' and passed is not null)
        as n_rules_evaluated,
    count(*) filter (where severity = 'error' and rule_scope = 'report' and passed = false)
        as n_rules_failed,
    count(*) filter (where severity = 'error' and rule_scope = 'report' and passed is null)
        as n_rules_not_evaluated,
    count(*) filter (where severity = 'warn' and passed = false)
        as n_warnings_failed,
    bool_and(passed) filter (where severity = 'error' and rule_scope = 'report')
        as is_reconciled
from {{ ref('fct_reconciliation') }}
where report_id is not null
  and {{ changed_agencies('agency_id', 'report_id') }}
group by report_id
