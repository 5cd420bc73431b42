{{ config(severity='warn') }}
-- Data finding, not a failure: reports whose error-severity per-report rules failed
-- (dim_report.is_reconciled = false). Real reports do fail (format-spec §2.6), so: warn.

select report_id, agency_name, report_year, n_rules_failed
from {{ ref('dim_report') }}
where is_reconciled = false
