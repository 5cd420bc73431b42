-- Staging view of raw.reports: column names as written by the parse step, types cast; nothing else.
select
    cast(report_id as varchar) as report_id,
    cast(content_sha256 as varchar) as content_sha256,
    cast(source_path as varchar) as source_path,
    cast(file_format as varchar) as file_format,
    cast(encoding as varchar) as encoding,
    cast(title as varchar) as title,
    cast(agency_name as varchar) as agency_name,
    cast(province as varchar) as province,
    cast(city as varchar) as city,
    cast(county as varchar) as county,
    cast(admin_level as varchar) as admin_level,
    cast(report_year as integer) as report_year,
    cast(published_on as date) as published_on,
    cast(index_number as varchar) as index_number,
    cast(template as varchar) as template,
    cast(original_script as varchar) as original_script,
    cast(parse_status as varchar) as parse_status,
    cast(rejection_reason as varchar) as rejection_reason,
    cast(document_kind as varchar) as document_kind,
    cast(parser_version as varchar) as parser_version
from {{ source('raw', 'reports') }}
