{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- One row per report × rule × scope_id (× related_report_id for the cross-report rules): the
-- per-report rules evaluated by the parse step (raw.rule_results) and the cross-report rules
-- evaluated here, with the rule's severity, scope and source from the vocabulary.
--
-- Incremental (macros/report_sync.sql): the per-report rows of the changed reports, and the
-- cross-report rows (related_report_id not null) of every agency one of them belongs or
-- belonged to, are deleted and recomputed.
--
-- Cross-report rules (format-spec §2.3), for non-rejected annual reports (document_kind
-- annual_report) of an agency one year apart; every pair is evaluated when an agency has more
-- than one report in a year (related_report_id names the year-(N−1) report), and only where
-- every value of the equation is present (a column or item present in one year only: no row):
--   t3_cross_year_carryover: 二、上年结转 of year N = 四、结转下年度继续办理 of year N−1, per
--     column (each applicant column and the printed 总计 `total`).
--   t2_2021_in_force_rollforward: 现行有效件数(N) = 现行有效件数(N−1) + 本年制发件数(N)
--     − 本年废止件数(N), per item (规章, 行政规范性文件), both years on the 2021 template.
--   t2_2019_item_rollforward: 上一年项目数量(N) = 上一年项目数量(N−1) + 本年增/减(N−1), per item,
--     both years on the 2019 template (so only 2019 → 2020 is tested; 2020 → 2021 crosses the
--     template break, where the columns change meaning: never linked).

{%- set in_scope = 'agency_id in ' ~ affected_agencies() if is_incremental() else 'true' %}

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
    where {{ changed_reports('rr.report_id') }}
),

-- non-rejected annual reports (of the affected agencies on an incremental run)
annual_reports as (
    select report_id, template
    from {{ ref('int_reports') }}
    where has_facts
      and agency_id is not null
      and report_year is not null
      -- a half-year statistic or a work summary carries nothing over
      and coalesce(document_kind, 'annual_report') = 'annual_report'
      and {{ in_scope }}
),

-- one name per agency (its reports may print several forms of it): the one its id comes from
agency_names as (
    select agency_id, min(agency_qualified_name) as agency_name
    from {{ ref('int_reports') }}
    where agency_id is not null
      and {{ in_scope }}
    group by agency_id
),

flow_cells as (
    select f.report_id, f.agency_id, f.report_year, f.flow, f.col_id, f.value
    from {{ ref('int_t3_flow_cells') }} as f
    semi join annual_reports as ar
        on ar.report_id = f.report_id
    where f.value is not null
),

carried_over as (
    select * from flow_cells where flow = 'carried_over_from_previous_year'
),

carried_forward as (
    select * from flow_cells where flow = 'carried_forward_to_next_year'
),

carryover as (
    select
        {{ cross_year_columns(
            't3_cross_year_carryover', 'cur.col_id', 'cur.value', 'prev.value', 'cur.value = prev.value',
            "format('{}: 上年结转 {} (report {}) = {} vs 结转下年度 {} (report {}) = {}, column {}',
                    a.agency_name, cur.report_year, cur.report_id, cur.value,
                    prev.report_year, prev.report_id, prev.value, cur.col_id)") }}
    {{ previous_year_pairs('carried_over', 'carried_forward', ['col_id']) }}
),

t2_items as (
    select
        d.report_id,
        d.agency_id,
        d.report_year,
        ar.template,
        d.item,
        max(d.value) filter (where d.measure = 'in_force_count') as in_force,
        max(d.value) filter (where d.measure = 'issued_count') as issued,
        max(d.value) filter (where d.measure = 'repealed_count') as repealed,
        max(d.value) filter (where d.measure = 'prior_year_item_count') as prior_items,
        max(d.value) filter (where d.measure = 'item_count_change') as item_change
    from {{ ref('fct_proactive_disclosure') }} as d
    inner join annual_reports as ar
        on ar.report_id = d.report_id
    where d.value is not null
      and d.measure in ('in_force_count', 'issued_count', 'repealed_count',
                        'prior_year_item_count', 'item_count_change')
    group by all
),

in_force_rollforward as (
    select
        {{ cross_year_columns(
            't2_2021_in_force_rollforward', 'cur.item', 'cur.in_force',
            'prev.in_force + cur.issued - cur.repealed', 'abs(cur.in_force - (prev.in_force + cur.issued - cur.repealed)) < 1e-6',
            "format('{}: 现行有效件数 {} (report {}) = {} vs 现行有效件数 {} (report {}) {} + 本年制发 {} − 本年废止 {} = {}, item {}',
                    a.agency_name, cur.report_year, cur.report_id, cur.in_force, prev.report_year, prev.report_id,
                    prev.in_force, cur.issued, cur.repealed, prev.in_force + cur.issued - cur.repealed, cur.item)") }}
    {{ previous_year_pairs('t2_items', 't2_items', ['item']) }}
    where cur.template = '2021'
      and prev.template = '2021'
      and cur.in_force is not null
      and cur.issued is not null
      and cur.repealed is not null
      and prev.in_force is not null
),

item_rollforward as (
    select
        {{ cross_year_columns(
            't2_2019_item_rollforward', 'cur.item', 'cur.prior_items',
            'prev.prior_items + prev.item_change', 'abs(cur.prior_items - (prev.prior_items + prev.item_change)) < 1e-6',
            "format('{}: 上一年项目数量 {} (report {}) = {} vs 上一年项目数量 {} (report {}) {} + 本年增/减 {} = {}, item {}',
                    a.agency_name, cur.report_year, cur.report_id, cur.prior_items, prev.report_year, prev.report_id,
                    prev.prior_items, prev.item_change, prev.prior_items + prev.item_change, cur.item)") }}
    {{ previous_year_pairs('t2_items', 't2_items', ['item']) }}
    where cur.template = '2019'
      and prev.template = '2019'
      and cur.prior_items is not null
      and prev.prior_items is not null
      and prev.item_change is not null
),

unioned as (
    select * from per_report
    union all
    select * from carryover
    union all
    select * from in_force_rollforward
    union all
    select * from item_rollforward
)

select
    u.report_id,
    u.agency_id,
    u.report_year,
    u.rule,
    u.scope_id,
    u.left_value,
    u.right_value,
    u.difference,
    u.passed,
    v.severity,
    v.scope as rule_scope,
    v.source,
    u.related_report_id,
    u.related_report_year,
    u.note
from unioned as u
left join {{ ref('stg_raw__vocab_rules') }} as v
    on v.rule = u.rule
