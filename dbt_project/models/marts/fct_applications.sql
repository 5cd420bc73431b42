-- One row per report × applicant_type × flow: leaf cells only (no 总计 column).

select
    report_id,
    agency_id,
    report_year,
    applicant_type,
    flow,
    cast(value as bigint) as count,
    is_blank,
    printed_text,
    source
from {{ ref('int_applications') }}
