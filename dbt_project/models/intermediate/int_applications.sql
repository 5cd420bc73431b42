-- Leaf cells of table 三's flow rows: one row per report × applicant_type × flow.
-- The printed 总计 column is excluded (it lives in fct_reconciliation).

select
    report_id,
    agency_id,
    report_year,
    col_id as applicant_type,
    flow,
    value,
    is_blank,
    printed_text,
    source
from {{ ref('int_t3_flow_cells') }}
where not is_printed_total
