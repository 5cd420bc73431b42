{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- One row per report × table × row × column of a printed total of tables 三 and 四: the 总计
-- column of table 三 (every row), the （七）总计 row (every column), the 总计 of each table-四
-- proceeding; and totals a report states in prose when its table is missing (办结N件 →
-- total_processed × unspecified). The other facts hold leaf cells only, so these are the
-- cells no other fact holds; never add them to the leaf facts (they would double count).
-- After source precedence; incremental by report (macros/report_sync.sql).

with t3 as (
    {{ report_table_cells('t3', where="c.col_id = 'total' or c.row_id = 'total_processed'") }}
),

t4 as (
    {{ report_table_cells('t4', where="c.col_id = 'total'") }}
),

totals as (
    select * from t3
    union all by name
    select * from t4
)

select
    report_id,
    agency_id,
    report_year,
    table_id,
    row_id,
    col_id,
    cast(value as bigint) as count,
    is_blank,
    printed_text,
    source
from totals
