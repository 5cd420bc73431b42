{{ config(materialized='table') }}
-- One row per report that has at least one reconciliation result: counts of evaluated, failed
-- and not-evaluated rules, and is_reconciled.
--
-- is_reconciled considers error-severity per-report rules only (vocabulary severity 'error',
-- scope 'report'): true when every evaluated one passed, false when any failed, null when none
-- was evaluated (all passed values null, or no such rule). Warn-severity rules
-- (narrative_table_consistency, t3_cross_year_carryover) never change it; they are counted in
-- n_warnings_failed.

select
    report_id,
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
group by report_id
