-- Staging model (ephemeral) of raw.vocab_disclosure_items: columns as written by the run, types cast; nothing else.
select
    cast(item as varchar) as item,
    cast(label_zh as varchar) as label_zh,
    cast(article as varchar) as article,
    cast(sort_order as integer) as sort_order
from {{ source('raw', 'vocab_disclosure_items') }}
