-- One row per report × proceeding × result: leaf cells only (no 总计 column).

select
    report_id,
    agency_id,
    report_year,
    proceeding,
    result,
    cast(value as bigint) as count,
    is_blank,
    printed_text,
    source
from {{ ref('int_litigation') }}
