{{ config(materialized='table') }}
-- One row per non-rejected report that has an agency and a report year, ranked within its
-- agency × report_year. The primary report (is_primary) is the one mart_agency_year takes its
-- figures from when an agency published more than one report for a year (e.g. a corrected
-- re-publication, or the same report as HTML and PDF with different bytes): summing them would
-- double count. Annual reports only (document_kind annual_report). Ranking: own report before an
-- aggregate one (is_aggregate), parse_status (complete, partial, narrative_only, metadata_only, other),
-- then is_reconciled (true, null, false), then the latest published_on, then report_id.

with reports as (
    select
        r.report_id,
        r.agency_id,
        r.report_year,
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
      -- a half-year statistic or a work summary is not the agency's annual figures
      and coalesce(r.document_kind, 'annual_report') = 'annual_report'
)

select
    report_id,
    agency_id,
    report_year,
    count(*) over (partition by agency_id, report_year) as n_reports,
    row_number() over (
        partition by agency_id, report_year
        order by
            is_aggregate,  -- the agency's own report before one that sums many agencies
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
    ) = 1 as is_primary
from reports
