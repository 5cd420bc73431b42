{{ config(materialized='incremental', incremental_strategy='report_sync') }}
-- One row per report × applicant_type × flow: leaf cells only (no 总计 column).
-- Incremental by report (macros/report_sync.sql).

select
    report_id,
    agency_id,
    report_year,
    col_id as applicant_type,
    flow,
    cast(value as bigint) as count,
    is_blank,
    printed_text,
    source
from {{ ref('int_t3_flow_cells') }}
where not is_printed_total
  and {{ changed_reports() }}
