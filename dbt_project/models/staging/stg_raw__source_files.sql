-- Staging model (ephemeral) of raw.source_files: column names as written by the parse step, types cast; nothing else.
select
    cast(source_path as varchar) as source_path,
    cast(report_id as varchar) as report_id,
    cast(content_sha256 as varchar) as content_sha256,
    cast(size_bytes as bigint) as size_bytes,
    cast(file_status as varchar) as file_status,
    cast(reason as varchar) as reason
from {{ source('raw', 'source_files') }}
