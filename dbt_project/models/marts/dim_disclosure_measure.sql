-- One row per measure (column) of table 二, from the vocabulary.

select
    measure,
    label_zh,
    templates,
    unit
from {{ ref('stg_raw__vocab_disclosure_measures') }}
