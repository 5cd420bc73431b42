-- One row per item (row) of table 二, from the vocabulary.

select
    item,
    label_zh,
    article,
    sort_order
from {{ ref('stg_raw__vocab_disclosure_items') }}
