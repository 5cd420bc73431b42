{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- One row per parse note (解析说明) of every report, rejected ones included: what the parser could
-- not read, what it recovered and where a figure came from, with the report's agency and year
-- (its path and status are in dim_report). Incremental by report (macros/report_sync.sql).

select
    n.report_id,
    r.agency_id,
    r.report_year,
    n.seq,
    n.severity,
    n.code,
    n.message
from {{ ref('stg_raw__parse_notes') }} as n
inner join {{ ref('int_reports') }} as r
    on r.report_id = n.report_id
where {{ changed_reports('n.report_id') }}
