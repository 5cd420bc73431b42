-- Table 三 flow rows (一、本年新收 / 二、上年结转 / 四、结转下年度) of every non-rejected report,
-- at cell grain: report × flow × column, including the printed 总计 column (col_id 'total'),
-- after source precedence (see macro prefer_table_source), with the report's agency and year.
-- Feeds int_applications (leaf columns) and int_cross_year_carryover (every column incl. total).

with cells as not materialized (
    select *
    from {{ ref('stg_raw__report_cells') }}
    where table_id = 't3'
      and row_id in (select flow from {{ ref('stg_raw__vocab_flows') }})
),

chosen as (
    {{ prefer_table_source('cells', "col_id <> 'total'") }}
)

select
    r.report_id,
    r.agency_id,
    r.report_year,
    c.row_id as flow,
    c.col_id,
    c.col_id = 'total' as is_printed_total,
    c.value,
    c.is_blank,
    c.printed_text,
    c.source
from chosen as c
inner join {{ ref('int_reports') }} as r
    on r.report_id = c.report_id
where r.has_facts
