-- One row per file found under the raw directory (every file, readable or not).

select
    sf.source_path,
    sf.report_id,
    sf.content_sha256,
    cast(sf.size_bytes as bigint) as size_bytes,
    sf.file_status,
    sf.reason,
    lower(nullif(regexp_extract(sf.source_path, '\.([^./]+)$', 1), '')) as file_extension,
    coalesce(sf.source_path = r.source_path, false) as is_first_path
from {{ ref('stg_raw__source_files') }} as sf
left join {{ ref('int_reports') }} as r
    on r.report_id = sf.report_id
