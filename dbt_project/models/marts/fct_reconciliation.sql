-- One row per report × rule × scope_id (× related_report_id for the cross-year rule).

select
    report_id,
    agency_id,
    report_year,
    rule,
    scope_id,
    left_value,
    right_value,
    difference,
    passed,
    severity,
    rule_scope,
    source,
    related_report_id,
    related_report_year,
    note
from {{ ref('int_reconciliation') }}
