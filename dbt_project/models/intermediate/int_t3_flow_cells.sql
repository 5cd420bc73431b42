{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- Table 三 flow rows (一、本年新收 / 二、上年结转 / 四、结转下年度) of every non-rejected report,
-- at cell grain: report × flow × column, including the printed 总计 column (col_id 'total'),
-- after source precedence (see macro prefer_table_source), with the report's agency and year.
-- Feeds fct_applications (leaf columns) and the cross-year carry-over rule of
-- fct_reconciliation (every column incl. total). Incremental by report (macros/report_sync.sql).

with cells as (
    {{ report_table_cells('t3',
                          where="c.row_id in (select flow from " ~ ref('stg_raw__vocab_flows') ~ ")",
                          leaf_condition="col_id <> 'total'") }}
)

select
    report_id,
    agency_id,
    report_year,
    row_id as flow,
    col_id,
    col_id = 'total' as is_printed_total,
    value,
    is_blank,
    printed_text,
    source
from cells
