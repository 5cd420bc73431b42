-- One row per distinct report content (report_id), rejected reports included.

with paths as (
    select report_id, count(*) as n_source_files
    from {{ ref('stg_raw__source_files') }}
    where report_id is not null
    group by report_id
),

notes as (
    select
        report_id,
        count(*) as n_parse_notes,
        count(*) filter (where severity in ('warning', 'error')) as n_parse_warnings
    from {{ ref('stg_raw__parse_notes') }}
    where report_id is not null
    group by report_id
)

select
    r.report_id,
    r.source_path,
    r.content_sha256,
    r.agency_id,
    r.agency_name,
    r.report_year,
    r.title,
    r.published_on,
    r.index_number,
    r.template,
    r.original_script,
    r.parse_status,
    r.rejection_reason,
    s.is_reconciled,
    r.document_kind,
    r.is_aggregate,
    d.is_primary,
    d.duplicate_of_report_id,
    coalesce(d.is_agency_year_primary, false) as is_agency_year_primary,
    r.outline_family,
    r.agency_name_printed,
    r.agency_qualified_name,
    r.division_code,
    r.file_format,
    r.encoding,
    r.parser_version,
    coalesce(p.n_source_files, 0) as n_source_files,
    coalesce(s.n_rules_evaluated, 0) as n_rules_evaluated,
    coalesce(s.n_rules_failed, 0) as n_rules_failed,
    coalesce(s.n_rules_not_evaluated, 0) as n_rules_not_evaluated,
    coalesce(s.n_warnings_failed, 0) as n_warnings_failed,
    coalesce(n.n_parse_notes, 0) as n_parse_notes,
    coalesce(n.n_parse_warnings, 0) as n_parse_warnings
from {{ ref('int_reports') }} as r
left join {{ ref('int_report_rule_summary') }} as s
    on s.report_id = r.report_id
left join paths as p
    on p.report_id = r.report_id
left join notes as n
    on n.report_id = r.report_id
left join {{ ref('int_report_duplicates') }} as d
    on d.report_id = r.report_id
