{{ config(materialized='incremental', incremental_strategy='agency_sync') }}
-- One row per agency × report_year (non-rejected reports with a known agency and year).
-- Figures come from the agency-year's primary report (int_report_duplicates.is_agency_year_primary): when an agency
-- has several reports for one year they are not summed, which would double count.
-- Counts are sums of leaf fact cells, so they are null when the report has no such cells
-- (e.g. no table 四), not 0 — except requests_processed_printed (the printed （七）总计, or the
-- 办结 count stated in prose, from fct_table_totals) and reviews_total / lawsuits_total of a pre-2019 report, which
-- come from its legacy measures (kept out of the facts, format-spec §5.8). figures_origin says
-- where the figures came from: the national table, prose of a 2019+ report, or legacy measures.
--
-- Incremental by agency (macros/agency_sync.sql): an agency-year's row depends on the agency's
-- reports only (its primary report's facts, dim_agency, dim_report), so only the affected
-- agencies' rows are recomputed.

{%- set outcome_columns = {
    'granted': 'requests_granted',
    'partially_granted': 'requests_partially_granted',
    'denied': 'requests_denied',
    'unable_to_provide': 'requests_unable_to_provide',
    'not_processed': 'requests_not_processed',
    'other': 'requests_other_outcome',
} %}
{%- set proceedings = {
    'reviews': "f.proceeding = 'administrative_review'",
    'lawsuits': "f.proceeding <> 'administrative_review'",
} %}
{%- set figure_sources -%}
        bool_or(f.source = 'table') as has_table,
        bool_or(f.source = 'narrative') as has_narrative
{%- endset %}

with primary_reports as (
    select report_id, agency_id, report_year, n_agency_year_reports as n_reports
    from {{ ref('int_report_duplicates') }}
    where is_agency_year_primary
      and {{ changed_agencies('agency_id') }}
),

applications as (
    select
        f.report_id,
        sum(f.count) filter (where f.flow = 'new_received') as requests_received,
        sum(f.count) filter (where f.flow = 'carried_over_from_previous_year') as requests_carried_over,
        sum(f.count) filter (where f.flow = 'carried_forward_to_next_year') as requests_carried_forward,
        {{ figure_sources }}
    from {{ ref('fct_applications') }} as f
    semi join primary_reports as p on p.report_id = f.report_id
    group by f.report_id
),

outcomes as (
    select
        f.report_id,
        sum(f.count) as requests_processed,
        {%- for category, column in outcome_columns.items() %}
        sum(f.count) filter (where f.outcome_category = '{{ category }}') as {{ column }},
        {%- endfor %}
        {{ figure_sources }}
    from {{ ref('fct_application_outcomes') }} as f
    semi join primary_reports as p on p.report_id = f.report_id
    group by f.report_id
),

litigation as (
    select
        f.report_id,
        {%- for name, condition in proceedings.items() %}
        sum(f.count) filter (where {{ condition }}) as {{ name }}_total,
        sum(f.count) filter (
            where {{ condition }} and f.result in ('upheld', 'corrected', 'other')
        ) as {{ name }}_concluded,
        sum(f.count) filter (where {{ condition }} and f.result = 'corrected') as {{ name }}_corrected,
        {%- endfor %}
        {{ figure_sources }}
    from {{ ref('fct_litigation') }} as f
    semi join primary_reports as p on p.report_id = f.report_id
    group by f.report_id
),

-- the （七）总计 as printed, or the 办结 count stated in prose when table 三 is missing
printed_totals as (
    select
        f.report_id,
        coalesce(
            max(f.count) filter (where f.col_id = 'total'),
            sum(f.count) filter (where f.col_id <> 'total')
        ) as requests_processed_printed
    from {{ ref('fct_table_totals') }} as f
    semi join primary_reports as p on p.report_id = f.report_id
    where f.table_id = 't3' and f.row_id = 'total_processed'
    group by f.report_id
),

-- pre-2019 reports: legacy measures that no fact holds (review and lawsuit totals are kept
-- as legacy measures only, format-spec §5.8), and fees
legacy as (
    select
        f.report_id,
        sum(f.value) filter (where f.measure = 'legacy_review_total') as legacy_reviews_total,
        sum(f.value) filter (where f.measure = 'legacy_lawsuit_total') as legacy_lawsuits_total,
        sum(f.value) filter (where f.measure = 'legacy_fees_collected_cny') as fees_collected_cny,
        count(*) as n_legacy_measures
    from {{ ref('fct_legacy_measures') }} as f
    semi join primary_reports as p on p.report_id = f.report_id
    group by f.report_id
),

joined as (
    select
        p.agency_id,
        p.report_year,
        p.n_reports,
        p.report_id as primary_report_id,
        a.requests_received,
        a.requests_carried_over,
        a.requests_carried_forward,
        o.requests_processed,
        pt.requests_processed_printed,
        {%- for column in outcome_columns.values() %}
        o.{{ column }},
        {%- endfor %}
        l.reviews_total,
        l.reviews_concluded,
        l.reviews_corrected,
        l.lawsuits_total,
        l.lawsuits_concluded,
        l.lawsuits_corrected,
        lg.legacy_reviews_total,
        lg.legacy_lawsuits_total,
        lg.fees_collected_cny,
        coalesce(lg.n_legacy_measures, 0) as n_legacy_measures,
        coalesce(a.has_table, false) or coalesce(o.has_table, false) or coalesce(l.has_table, false) as has_table,
        coalesce(a.has_narrative, false) or coalesce(o.has_narrative, false)
        or coalesce(l.has_narrative, false) as has_narrative
    from primary_reports as p
    left join applications as a on a.report_id = p.report_id
    left join outcomes as o on o.report_id = p.report_id
    left join litigation as l on l.report_id = p.report_id
    left join legacy as lg on lg.report_id = p.report_id
    left join printed_totals as pt on pt.report_id = p.report_id
)

select
    j.agency_id,
    j.report_year,
    ag.agency_name,
    ag.province,
    ag.city,
    ag.county,
    ag.admin_level,
    cast(j.n_reports as bigint) as n_reports,
    j.primary_report_id,
    r.template,
    r.parse_status,
    r.is_reconciled,
    case
        when j.has_table and j.has_narrative then 'mixed'
        when j.has_table then 'table'
        when j.has_narrative then 'narrative'
    end as figures_source,
    nullif(concat_ws('+',
        case when j.has_table then 'table' end,
        case when j.has_narrative and r.template <> 'pre2019' then 'prose' end,
        case when (j.has_narrative and r.template = 'pre2019') or j.n_legacy_measures > 0 then 'legacy' end
    ), '') as figures_origin,
    r.is_aggregate,
    cast(j.n_legacy_measures as bigint) as n_legacy_measures,
    cast(j.requests_received as bigint) as requests_received,
    cast(j.requests_carried_over as bigint) as requests_carried_over,
    cast(j.requests_carried_forward as bigint) as requests_carried_forward,
    cast(j.requests_processed as bigint) as requests_processed,
    cast(j.requests_processed_printed as bigint) as requests_processed_printed,
    {%- for column in outcome_columns.values() %}
    cast(j.{{ column }} as bigint) as {{ column }},
    {%- endfor %}
    cast(case when r.template = 'pre2019' then coalesce(j.legacy_reviews_total, j.reviews_total)
              else j.reviews_total end as bigint) as reviews_total,
    cast(j.reviews_concluded as bigint) as reviews_concluded,
    cast(j.reviews_corrected as bigint) as reviews_corrected,
    cast(case when r.template = 'pre2019' then coalesce(j.legacy_lawsuits_total, j.lawsuits_total)
              else j.lawsuits_total end as bigint) as lawsuits_total,
    cast(j.lawsuits_concluded as bigint) as lawsuits_concluded,
    cast(j.lawsuits_corrected as bigint) as lawsuits_corrected,
    cast(j.fees_collected_cny as double) as fees_collected_cny,
    cast(
        (coalesce(j.requests_granted, 0) + coalesce(j.requests_partially_granted, 0))
        / nullif(j.requests_processed, 0)
        as double
    ) as share_granted_full_or_partial,
    cast(j.reviews_corrected / nullif(j.reviews_concluded, 0) as double) as share_reviews_corrected,
    cast(j.lawsuits_corrected / nullif(j.lawsuits_concluded, 0) as double) as share_lawsuits_corrected
from joined as j
left join {{ ref('dim_agency') }} as ag
    on ag.agency_id = j.agency_id
left join {{ ref('dim_report') }} as r
    on r.report_id = j.primary_report_id
