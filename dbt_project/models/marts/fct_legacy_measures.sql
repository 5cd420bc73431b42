-- One row per report × legacy measure × channel: figures of pre-2019 reports (format-spec
-- §5.8), from prose (source narrative) or an old statistical table (source table).

select
    report_id,
    agency_id,
    report_year,
    measure,
    measure_group,
    channel,
    value,
    unit,
    printed_unit,
    case when unit = '元' then value end as value_cny,
    printed_text,
    source
from {{ ref('int_legacy_measures') }}
