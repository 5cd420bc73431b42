-- Staging model (ephemeral) of raw.vocab_legacy_measures (vocabulary legacy_measures + legacy_crosswalk), types cast.
select
    cast(measure as varchar) as measure,
    cast(label_zh as varchar) as label_zh,
    cast(measure_group as varchar) as measure_group,
    cast(unit as varchar) as unit,
    cast(channels as varchar) as channels,
    cast(channel_labels_zh as varchar) as channel_labels_zh,
    cast(read_in_2019_prose as boolean) as read_in_2019_prose,
    cast(context_measure as varchar) as context_measure,
    cast(suggested_leaf as varchar) as suggested_leaf,
    cast(suggested_leaf_match as varchar) as suggested_leaf_match,
    cast(fact_table as varchar) as fact_table,
    cast(fact_row as varchar) as fact_row,
    cast(fact_col as varchar) as fact_col,
    cast(fact_templates as varchar) as fact_templates,
    cast(fact_match as varchar) as fact_match,
    cast(fact_is_printed_total as boolean) as fact_is_printed_total,
    cast(sort_order as integer) as sort_order
from {{ source('raw', 'vocab_legacy_measures') }}
