-- One row per issuing body (发布机构).

select
    agency_id,
    agency_name,
    province,
    city,
    county,
    admin_level,
    division_code,
    n_reports,
    n_reports_with_facts,
    first_report_year,
    last_report_year
from {{ ref('int_agency_attributes') }}
