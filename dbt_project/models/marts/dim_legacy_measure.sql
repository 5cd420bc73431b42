-- One row per legacy (pre-2019) measure of format-spec §5.8, from the vocabulary, with where it
-- reaches the contract's facts (the crosswalk) and §5.8's suggested 2019+ leaf.

select
    measure,
    label_zh,
    measure_group,
    unit,
    channels,
    channel_labels_zh,
    read_in_2019_prose,
    context_measure,
    suggested_leaf,
    suggested_leaf_match,
    fact_table,
    fact_row,
    fact_col,
    fact_templates,
    fact_match,
    fact_is_printed_total,
    sort_order
from {{ ref('stg_raw__vocab_legacy_measures') }}
