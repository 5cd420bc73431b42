-- Leaf cells of table 四: one row per report × proceeding × result, after source precedence.
-- The printed 总计 of each proceeding (col_id 'total') is excluded.

with cells as not materialized (
    select *
    from {{ ref('stg_raw__report_cells') }}
    where table_id = 't4'
      and col_id <> 'total'
),

chosen as (
    {{ prefer_table_source('cells') }}
)

select
    r.report_id,
    r.agency_id,
    r.report_year,
    c.row_id as proceeding,
    c.col_id as result,
    c.value,
    c.is_blank,
    c.printed_text,
    c.source
from chosen as c
inner join {{ ref('int_reports') }} as r
    on r.report_id = c.report_id
where r.has_facts
