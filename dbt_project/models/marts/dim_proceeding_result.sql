-- One row per proceeding × result of table 四, from the vocabulary.

select
    proceeding,
    result,
    proceeding_label_zh,
    result_label_zh,
    sort_order
from {{ ref('stg_raw__vocab_proceeding_results') }}
