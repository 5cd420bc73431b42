-- One row per issuing body (发布机构) with its name and location: for each attribute, the most
-- frequent non-null value across the agency's reports (all reports, rejected included); ties are
-- broken by the smallest value, so the choice is deterministic. Also counts of reports and years.

with reports as (
    select agency_id, agency_name, province, city, county, admin_level, division_code, report_year, has_facts
    from {{ ref('int_reports') }}
    where agency_id is not null
),

attribute_values as (
    unpivot reports
    on agency_name, province, city, county, admin_level, division_code
    into name attribute value attribute_value
),

ranked as (
    select
        agency_id,
        attribute,
        attribute_value,
        row_number() over (
            partition by agency_id, attribute
            order by count(*) desc, attribute_value
        ) as rank_in_agency
    from attribute_values
    where attribute_value is not null
    group by agency_id, attribute, attribute_value
),

chosen as (
    select
        agency_id,
        max(attribute_value) filter (where attribute = 'agency_name') as agency_name,
        max(attribute_value) filter (where attribute = 'province') as province,
        max(attribute_value) filter (where attribute = 'city') as city,
        max(attribute_value) filter (where attribute = 'county') as county,
        max(attribute_value) filter (where attribute = 'admin_level') as admin_level,
        max(attribute_value) filter (where attribute = 'division_code') as division_code
    from ranked
    where rank_in_agency = 1
    group by agency_id
),

counts as (
    select
        agency_id,
        count(*) as n_reports,
        count(*) filter (where has_facts) as n_reports_with_facts,
        min(report_year) filter (where has_facts) as first_report_year,
        max(report_year) filter (where has_facts) as last_report_year
    from reports
    group by agency_id
)

select
    counts.agency_id,
    chosen.agency_name,
    chosen.province,
    chosen.city,
    chosen.county,
    chosen.admin_level,
    chosen.division_code,
    counts.n_reports,
    counts.n_reports_with_facts,
    counts.first_report_year,
    counts.last_report_year
from counts
left join chosen
    on chosen.agency_id = counts.agency_id
