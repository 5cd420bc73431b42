{{ config(materialized='table') }}
-- Duplicate reports: the same agency's report for the same year found in more than one file
-- with different bytes (an HTML page and its PDF, a re-publication). One row per non-rejected
-- report with an agency and a report year. Reports are grouped by agency_id × report_year ×
-- document_kind × is_aggregate (a half-year statistic or an aggregate report is not a copy of
-- the agency's annual report); within a group the primary is chosen deterministically as in
-- int_agency_year_reports: parse_status (complete, partial, narrative_only, metadata_only),
-- then is_reconciled (true, null, false), then the latest published_on, then report_id. Every
-- other report of the group names the primary in duplicate_of_report_id.

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
),

ranked as (
    select
        *,
        count(*) over w_group as n_in_group,
        row_number() over w_ranked as rank_in_group,
        first_value(report_id) over w_ranked as primary_report_id
    from reports
    window
        w_group as (partition by agency_id, report_year, document_kind, is_aggregate),
        w_ranked as (
            partition by agency_id, report_year, document_kind, is_aggregate
            order by
                case parse_status
                    when 'complete' then 1
                    when 'partial' then 2
                    when 'narrative_only' then 3
                    when 'metadata_only' then 4
                    else 5
                end,
                case when is_reconciled then 1 when is_reconciled is null then 2 else 3 end,
                published_on desc nulls last,
                report_id
            rows between unbounded preceding and unbounded following
        )
)

select
    report_id,
    agency_id,
    report_year,
    document_kind,
    is_aggregate,
    cast(n_in_group as bigint) as n_in_group,
    rank_in_group = 1 as is_primary,
    case when rank_in_group > 1 then primary_report_id end as duplicate_of_report_id
from ranked
