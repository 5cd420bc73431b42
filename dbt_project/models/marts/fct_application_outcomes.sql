-- One row per report × applicant_type × leaf outcome: leaf cells only (no 总计 column,
-- no （七）总计 row).

select
    report_id,
    agency_id,
    report_year,
    applicant_type,
    outcome,
    outcome_category,
    cast(value as bigint) as count,
    is_blank,
    printed_text,
    source
from {{ ref('int_application_outcomes') }}
