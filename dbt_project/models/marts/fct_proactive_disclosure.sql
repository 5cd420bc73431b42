-- One row per report × item × measure of table 二.

select
    report_id,
    agency_id,
    report_year,
    item,
    measure,
    value,
    unit,
    case unit
        when '元' then value
        when '万元' then value * 10000
    end as value_cny,
    is_blank,
    printed_text,
    source
from {{ ref('int_proactive_disclosure') }}
