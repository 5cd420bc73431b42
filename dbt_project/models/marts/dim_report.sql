{{ config(materialized='incremental', incremental_strategy='agency_sync') }}
-- One row per distinct report content (report_id), rejected reports included.
--
-- Incremental by agency (macros/agency_sync.sql): is_primary, duplicate_of_report_id,
-- is_agency_year_primary and the rule counts depend on the other reports of the agency, so the
-- rows of the changed reports and of every report of an affected agency are recomputed. So are
-- the reports whose source_path or n_source_files differ from the table's: a rename, a copy or
-- a removed copy of a file changes them without changing the report's fingerprint.

with paths as (
    select report_id, count(*) as n_source_files
    from {{ ref('stg_raw__source_files') }}
    where report_id is not null
    group by report_id
),

{%- if is_incremental() %}

moved as (
    select r.report_id
    from {{ ref('int_reports') }} as r
    inner join {{ this }} as t
        on t.report_id = r.report_id
    left join paths as p
        on p.report_id = r.report_id
    where r.source_path is distinct from t.source_path
       or coalesce(p.n_source_files, 0) <> t.n_source_files
),
{%- endif %}

reports as (
    select *
    from {{ ref('int_reports') }} as r
    where {{ changed_agencies('r.agency_id', 'r.report_id') }}
    {%- if is_incremental() %}
       or r.report_id in (select report_id from moved)
    {%- endif %}
),

notes as (
    select
        report_id,
        count(*) as n_parse_notes,
        count(*) filter (where severity in ('warning', 'error')) as n_parse_warnings
    from {{ ref('stg_raw__parse_notes') }}
    where report_id in (select report_id from reports)
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
from reports as r
left join {{ ref('int_report_rule_summary') }} as s
    on s.report_id = r.report_id
left join paths as p
    on p.report_id = r.report_id
left join notes as n
    on n.report_id = r.report_id
left join {{ ref('int_report_duplicates') }} as d
    on d.report_id = r.report_id
