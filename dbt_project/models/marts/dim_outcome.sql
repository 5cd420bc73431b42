-- One row per leaf outcome of table 三, from the vocabulary.

select
    outcome,
    outcome_category,
    label_zh,
    sort_order,
    outcome_category_label_zh,
    category_sort_order,
    templates,
    is_unspecified
from {{ ref('stg_raw__vocab_outcomes') }}
