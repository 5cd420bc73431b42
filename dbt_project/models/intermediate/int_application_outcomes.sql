-- Leaf cells of table 三's outcome rows (三、本年度办理结果): one row per report × applicant_type
-- × leaf outcome, after source precedence, with the outcome's category.
-- Excluded: the printed 总计 column (col_id 'total') and the （七）总计 row (row_id
-- 'total_processed', not a vocabulary outcome).

with outcomes as (
    select outcome, outcome_category
    from {{ ref('stg_raw__vocab_outcomes') }}
),

cells as not materialized (
    select c.*, o.outcome_category
    from {{ ref('stg_raw__report_cells') }} as c
    inner join outcomes as o
        on o.outcome = c.row_id
    where c.table_id = 't3'
      and c.col_id <> 'total'
),

chosen as (
    {{ prefer_table_source('cells') }}
)

select
    r.report_id,
    r.agency_id,
    r.report_year,
    c.col_id as applicant_type,
    c.row_id as outcome,
    c.outcome_category,
    c.value,
    c.is_blank,
    c.printed_text,
    c.source
from chosen as c
inner join {{ ref('int_reports') }} as r
    on r.report_id = c.report_id
where r.has_facts
