-- Staging model (ephemeral) of raw.file_registry: column names as written by the ingest step, types cast; nothing else.
select
    cast(source_path as varchar) as source_path,
    cast(size_bytes as bigint) as size_bytes,
    cast(content_sha256 as varchar) as content_sha256,
    cast(reason as varchar) as reason,
    cast(modified_ns as bigint) as modified_ns,
    cast(inode as bigint) as inode,
    cast(changed_ns as bigint) as changed_ns
from {{ source('raw', 'file_registry') }}
