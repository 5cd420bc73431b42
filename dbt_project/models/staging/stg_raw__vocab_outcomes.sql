-- Staging model (ephemeral) of raw.vocab_outcomes: column names as written by the parse step, types cast; nothing else.
select
    cast(outcome as varchar) as outcome,
    cast(outcome_category as varchar) as outcome_category,
    cast(outcome_category_label_zh as varchar) as outcome_category_label_zh,
    cast(category_sort_order as integer) as category_sort_order,
    cast(label_zh as varchar) as label_zh,
    cast(sort_order as integer) as sort_order,
    cast(templates as varchar) as templates,
    cast(is_unspecified as boolean) as is_unspecified
from {{ source('raw', 'vocab_outcomes') }}
