{{ config(materialized='incremental', incremental_strategy='agency_sync') }}
-- One row per non-rejected report with an agency and a report year, ranked two ways (macro
-- primary_report_order: parse_status, is_reconciled, latest published_on, report_id):
--
-- Duplicates (dim_report): the same agency's report for the same year found in more than one
-- file with different bytes (an HTML page and its PDF, a re-publication). Reports are grouped
-- by agency_id × report_year × document_kind × is_aggregate (a half-year statistic or an
-- aggregate report is not a copy of the agency's annual report); every report of a group but
-- the primary names it in duplicate_of_report_id.
--
-- Agency-year primary (mart_agency_year): among the agency's annual reports (document_kind
-- annual_report) of the year, the one mart_agency_year takes its figures from — summing several
-- would double count. The agency's own report ranks before an aggregate one (is_aggregate).
--
-- Incremental by agency (macros/agency_sync.sql): both rankings are within one agency, so only
-- the affected agencies' reports are ranked again.

with reports as (
    select
        r.report_id,
        r.agency_id,
        r.report_year,
        coalesce(r.document_kind, 'annual_report') as document_kind,
        r.is_aggregate,
        r.parse_status,
        r.published_on,
        s.is_reconciled
    from {{ ref('int_reports') }} as r
    left join {{ ref('int_report_rule_summary') }} as s
        on s.report_id = r.report_id
    where r.has_facts
      and r.agency_id is not null
      and r.report_year is not null
      and {{ changed_agencies('r.agency_id') }}
),

duplicates as (
    select
        *,
        count(*) over (partition by agency_id, report_year, document_kind, is_aggregate) as n_in_group,
        row_number() over (
            partition by agency_id, report_year, document_kind, is_aggregate
            order by {{ primary_report_order() }}
        ) as rank_in_group,
        first_value(report_id) over (
            partition by agency_id, report_year, document_kind, is_aggregate
            order by {{ primary_report_order() }}
            rows between unbounded preceding and unbounded following
        ) as primary_report_id
    from reports
),

agency_years as (
    select
        report_id,
        count(*) over (partition by agency_id, report_year) as n_agency_year_reports,
        row_number() over (
            partition by agency_id, report_year
            order by is_aggregate, {{ primary_report_order() }}
        ) = 1 as is_agency_year_primary
    from reports
    -- a half-year statistic or a work summary is not the agency's annual figures
    where document_kind = 'annual_report'
)

select
    d.report_id,
    d.agency_id,
    d.report_year,
    d.document_kind,
    d.is_aggregate,
    cast(d.n_in_group as bigint) as n_in_group,
    d.rank_in_group = 1 as is_primary,
    case when d.rank_in_group > 1 then d.primary_report_id end as duplicate_of_report_id,
    cast(y.n_agency_year_reports as bigint) as n_agency_year_reports,
    y.is_agency_year_primary
from duplicates as d
left join agency_years as y
    on y.report_id = d.report_id
