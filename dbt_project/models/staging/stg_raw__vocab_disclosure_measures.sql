-- Staging model (ephemeral) of raw.vocab_disclosure_measures: columns as written by the run, types cast; nothing else.
select
    cast(measure as varchar) as measure,
    cast(label_zh as varchar) as label_zh,
    cast(templates as varchar) as templates,
    cast(unit as varchar) as unit
from {{ source('raw', 'vocab_disclosure_measures') }}
