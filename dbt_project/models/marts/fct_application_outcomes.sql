{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- One row per report × applicant_type × leaf outcome of table 三 (三、本年度办理结果), after
-- source precedence, with the outcome's category. Leaf cells only: the printed 总计 column
-- (col_id 'total') and the （七）总计 row (row_id 'total_processed', not a vocabulary outcome)
-- are excluded. Incremental by report (macros/report_sync.sql).

with outcomes as (
    select outcome, outcome_category
    from {{ ref('stg_raw__vocab_outcomes') }}
),

cells as (
    {{ report_table_cells('t3', where="c.col_id <> 'total' and c.row_id in (select outcome from outcomes)") }}
)

select
    c.report_id,
    c.agency_id,
    c.report_year,
    c.col_id as applicant_type,
    c.row_id as outcome,
    o.outcome_category,
    cast(c.value as bigint) as count,
    c.is_blank,
    c.printed_text,
    c.source
from cells as c
inner join outcomes as o
    on o.outcome = c.row_id
