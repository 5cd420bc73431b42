{{ config(materialized='incremental', incremental_strategy='sync', unique_key='report_id') }}
-- One row per report_id: raw.reports with agency_id derived from the qualified agency name
-- (agency_qualified_name; agency_name for rows written before it existed),
-- plus a 'rejected' row for any report_id that source_files registered but the parse step
-- wrote no report row for (so every read file has a dim_report row).
-- source_path is the content's first path (in sort order) in the current raw folder, as in
-- source_files: raw.reports keeps the path the report was parsed from, which a rename or a new
-- raw folder leaves stale (a report is not re-parsed when only its path changes).
-- Computed in full every run, but written with the sync strategy (macros/agency_sync.sql): only
-- rows that differ from the table's are deleted and inserted (writing the whole table cost more
-- than computing it). Not filtered by int_report_changes, which computes its fingerprints from it.

with current_paths as (
    select report_id, min(source_path) as source_path
    from {{ ref('stg_raw__source_files') }}
    where report_id is not null
    group by report_id
),

reports as (
    select r.* replace (coalesce(p.source_path, r.source_path) as source_path)
    from {{ ref('stg_raw__reports') }} as r
    left join current_paths as p
        on p.report_id = r.report_id
),

unparsed_files as (
    select
        sf.report_id,
        min(sf.content_sha256) as content_sha256,
        min(sf.source_path) as source_path,
        min(sf.reason) as reason
    from {{ ref('stg_raw__source_files') }} as sf
    where sf.report_id is not null
      -- the staged rows, not the CTE `reports`: a second reader would make DuckDB materialize it
      and not exists (select 1 from {{ ref('stg_raw__reports') }} as r where r.report_id = sf.report_id)
    group by sf.report_id
),

all_reports as (
    select
        report_id,
        content_sha256,
        source_path,
        file_format,
        encoding,
        title,
        nullif(trim(agency_name), '') as agency_name,
        province,
        city,
        county,
        admin_level,
        report_year,
        published_on,
        index_number,
        template,
        original_script,
        parse_status,
        rejection_reason,
        document_kind,
        parser_version,
        nullif(trim(agency_name_printed), '') as agency_name_printed,
        division_code,
        coalesce(is_aggregate, false) as is_aggregate,
        outline_family,
        coalesce(nullif(trim(agency_qualified_name), ''), nullif(trim(agency_name), '')) as agency_qualified_name
    from reports

    union all

    select
        report_id,
        content_sha256,
        source_path,
        null as file_format,
        null as encoding,
        null as title,
        null as agency_name,
        null as province,
        null as city,
        null as county,
        null as admin_level,
        null as report_year,
        null as published_on,
        null as index_number,
        null as template,
        null as original_script,
        'rejected' as parse_status,
        coalesce(
            reason, 'registered in source_files but no report row was written by the parse step'
        ) as rejection_reason,
        null as document_kind,
        null as parser_version,
        null as agency_name_printed,
        null as division_code,
        false as is_aggregate,
        null as outline_family,
        null as agency_qualified_name
    from unparsed_files
)

select
    *,
    {{ agency_id('agency_qualified_name') }} as agency_id,
    coalesce(parse_status, '') <> 'rejected' as has_facts
from all_reports
