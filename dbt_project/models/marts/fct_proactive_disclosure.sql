{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- One row per report × item × measure of table 二 (主动公开), after source precedence. Table 二
-- prints no totals, so every cell is a leaf. Incremental by report (macros/report_sync.sql).

with cells as (
    {{ report_table_cells('t2') }}
)

select
    report_id,
    agency_id,
    report_year,
    row_id as item,
    col_id as measure,
    value,
    unit,
    case unit
        when '元' then value
        when '万元' then value * 10000
    end as value_cny,
    is_blank,
    printed_text,
    source
from cells
