-- Staging model (ephemeral) of raw.parse_notes: column names as written by the parse step, types cast; nothing else.
select
    cast(report_id as varchar) as report_id,
    cast(seq as integer) as seq,
    cast(severity as varchar) as severity,
    cast(code as varchar) as code,
    cast(message as varchar) as message
from {{ source('raw', 'parse_notes') }}
