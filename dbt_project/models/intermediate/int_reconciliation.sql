-- Every reconciliation result: the per-report rules evaluated by the parse step
-- (raw.rule_results) and the cross-report rules evaluated here (int_cross_year_carryover,
-- int_cross_year_t2_rollforward),
-- with the rule's severity and scope from the vocabulary and the report's agency and year.
-- One row per report × rule × scope_id (× related_report_id for cross-report rules).

with per_report as (
    select
        rr.report_id,
        r.agency_id,
        r.report_year,
        rr.rule,
        rr.scope_id,
        rr.left_value,
        rr.right_value,
        rr.difference,
        rr.passed,
        cast(null as varchar) as related_report_id,
        cast(null as integer) as related_report_year,
        rr.note
    from {{ ref('stg_raw__rule_results') }} as rr
    left join {{ ref('int_reports') }} as r
        on r.report_id = rr.report_id
),

cross_report as (
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
        related_report_id,
        related_report_year,
        note
    from {{ ref('int_cross_year_carryover') }}

    union all

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
        related_report_id,
        related_report_year,
        note
    from {{ ref('int_cross_year_t2_rollforward') }}
),

unioned as (
    select * from per_report
    union all
    select * from cross_report
)

select
    u.report_id,
    u.agency_id,
    u.report_year,
    u.rule,
    v.severity,
    v.scope as rule_scope,
    v.source,
    u.scope_id,
    u.left_value,
    u.right_value,
    u.difference,
    u.passed,
    u.related_report_id,
    u.related_report_year,
    u.note
from unioned as u
left join {{ ref('stg_raw__vocab_rules') }} as v
    on v.rule = u.rule
