{{ config(materialized='view', schema='staging') }}
-- Staging view of raw.report_cells: column names as written by the parse step, types cast; nothing else.
-- A view, not ephemeral like the other staging models: the fact models read it several times
-- in one query (source precedence), and DuckDB materialises a CTE referenced more than once —
-- every cell of the warehouse, copied — where it inlines a view.
select
    cast(report_id as varchar) as report_id,
    cast(table_id as varchar) as table_id,
    cast(row_id as varchar) as row_id,
    cast(col_id as varchar) as col_id,
    cast(value as double) as value,
    cast(is_blank as boolean) as is_blank,
    cast(printed_text as varchar) as printed_text,
    cast(unit as varchar) as unit,
    cast(source as varchar) as source
from {{ source('raw', 'report_cells') }}
