{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- One row per report × legacy measure × channel: figures of pre-2019 reports (format-spec
-- §5.8) of every non-rejected report, from prose (source narrative) or an old statistical
-- table (source table), with the report's agency and year and the measure's unit and group
-- from the vocabulary. Values are in the measure's unit (amounts in 元).
-- Incremental by report (macros/report_sync.sql).

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
    case when v.unit = '元' then m.value end as value_cny,
    m.printed_text,
    m.source
from {{ ref('stg_raw__legacy_measures') }} as m
inner join {{ ref('int_reports') }} as r
    on r.report_id = m.report_id
left join {{ ref('stg_raw__vocab_legacy_measures') }} as v
    on v.measure = m.measure
where r.has_facts
  and {{ changed_reports('m.report_id') }}
