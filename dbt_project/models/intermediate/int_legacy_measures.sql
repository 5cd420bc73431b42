-- Legacy measures (pre-2019 reports, format-spec §5.8) of every non-rejected report: one row
-- per report × measure × channel, with the report's agency and year and the measure's unit and
-- group from the vocabulary. Values are in the measure's unit (amounts in 元).

select
    m.report_id,
    r.agency_id,
    r.report_year,
    m.measure,
    v.measure_group,
    m.channel,
    m.value,
    v.unit,
    m.unit as printed_unit,
    m.printed_text,
    m.source
from {{ ref('stg_raw__legacy_measures') }} as m
inner join {{ ref('int_reports') }} as r
    on r.report_id = m.report_id
left join {{ ref('stg_raw__vocab_legacy_measures') }} as v
    on v.measure = m.measure
where r.has_facts
