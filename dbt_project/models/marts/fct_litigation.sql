{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- One row per report × proceeding × result of table 四, after source precedence: leaf cells
-- only (the printed 总计 of each proceeding, col_id 'total', is excluded).
-- Incremental by report (macros/report_sync.sql).

with cells as (
    {{ report_table_cells('t4', where="c.col_id <> 'total'") }}
)

select
    report_id,
    agency_id,
    report_year,
    row_id as proceeding,
    col_id as result,
    cast(value as bigint) as count,
    is_blank,
    printed_text,
    source
from cells
