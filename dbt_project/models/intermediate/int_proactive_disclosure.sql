-- Cells of table 二 (主动公开): one row per report × item × measure, after source precedence.
-- Table 二 prints no totals, so every cell is a leaf.

with cells as not materialized (
    select *
    from {{ ref('stg_raw__report_cells') }}
    where table_id = 't2'
),

chosen as (
    {{ prefer_table_source('cells') }}
)

select
    r.report_id,
    r.agency_id,
    r.report_year,
    c.row_id as item,
    c.col_id as measure,
    c.value,
    c.unit,
    c.is_blank,
    c.printed_text,
    c.source
from chosen as c
inner join {{ ref('int_reports') }} as r
    on r.report_id = c.report_id
where r.has_facts
