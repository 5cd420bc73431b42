{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_raw__report_cells'}}}) }}
-- Every parsed cell should carry ids the vocabulary knows for its table (or a printed-total id)
-- and belong to a report of raw.reports. Cells failing this are silently left out of the facts,
-- so they are listed here as a warning (a parser/vocabulary mismatch, not a data finding).
-- Printed-total ids: 'total' (总计 column of tables 三 and 四) and 'total_processed' (（七）总计).
-- One row per offending (table_id, row_id, col_id) combination, with how many cells have it.
-- The ids are checked for the cells of the reports this run (re)built (int_report_changes;
-- every report on a full build, and on a vocabulary change): the others were checked when
-- they were built.

with combinations as (
    select table_id, row_id, col_id, count(*) as n_cells
    from {{ ref('stg_raw__report_cells') }}
    where report_id in (select report_id from {{ ref('int_report_changes') }} where is_changed)
    group by table_id, row_id, col_id
),

known_rows as (
    select 't3' as table_id, flow as row_id from {{ ref('stg_raw__vocab_flows') }}
    union all select 't3', outcome from {{ ref('stg_raw__vocab_outcomes') }}
    union all select 't3', 'total_processed'
    union all select distinct 't4', proceeding from {{ ref('stg_raw__vocab_proceeding_results') }}
    union all select 't2', item from {{ ref('stg_raw__vocab_disclosure_items') }}
),

known_cols as (
    select 't3' as table_id, applicant_type as col_id from {{ ref('stg_raw__vocab_applicant_types') }}
    union all select 't3', 'total'
    union all select distinct 't4', result from {{ ref('stg_raw__vocab_proceeding_results') }}
    union all select 't4', 'total'
    union all select 't2', measure from {{ ref('stg_raw__vocab_disclosure_measures') }}
),

orphan_reports as (
    select 'report_id not in raw.reports' as problem, count(*) as n_cells
    from {{ ref('stg_raw__report_cells') }} as c
    where not exists (select 1 from {{ ref('int_reports') }} as r where r.report_id = c.report_id)
    having count(*) > 0
)

select
    case
        when kr.row_id is null then 'unknown row_id for this table' else 'unknown col_id for this table'
    end as problem,
    c.table_id,
    c.row_id,
    c.col_id,
    c.n_cells
from combinations as c
left join known_rows as kr
    on kr.table_id = c.table_id and kr.row_id = c.row_id
left join known_cols as kc
    on kc.table_id = c.table_id and kc.col_id = c.col_id
where kr.row_id is null
   or kc.col_id is null

union all

select problem, null, null, null, n_cells
from orphan_reports
