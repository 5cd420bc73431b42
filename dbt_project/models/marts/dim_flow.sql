-- One row per request flow of table 三, from the vocabulary.

select
    flow,
    label_zh,
    sort_order
from {{ ref('stg_raw__vocab_flows') }}
