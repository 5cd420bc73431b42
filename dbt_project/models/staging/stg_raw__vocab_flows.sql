-- Staging model (ephemeral) of raw.vocab_flows: column names as written by the parse step, types cast; nothing else.
select
    cast(flow as varchar) as flow,
    cast(label_zh as varchar) as label_zh,
    cast(sort_order as integer) as sort_order
from {{ source('raw', 'vocab_flows') }}
