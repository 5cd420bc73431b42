-- Staging model (ephemeral) of raw.legacy_measures: columns as written by the run, types cast; nothing else.
select
    cast(report_id as varchar) as report_id,
    cast(measure as varchar) as measure,
    cast(channel as varchar) as channel,
    cast(value as double) as value,
    cast(unit as varchar) as unit,
    cast(printed_text as varchar) as printed_text,
    cast(source as varchar) as source
from {{ source('raw', 'legacy_measures') }}
