-- Staging model (ephemeral) of raw.vocab_proceeding_results: columns as written by the run, types cast; nothing else.
select
    cast(proceeding as varchar) as proceeding,
    cast(proceeding_label_zh as varchar) as proceeding_label_zh,
    cast(result as varchar) as result,
    cast(result_label_zh as varchar) as result_label_zh,
    cast(sort_order as integer) as sort_order
from {{ source('raw', 'vocab_proceeding_results') }}
