-- One row per issuing body (发布机构) with its name and location. agency_name is the name the
-- body printed in its latest report (the most frequent among that year's, then the smallest);
-- agency_qualified_name, the name its id is derived from; every other attribute the most
-- frequent non-null value across the agency's reports (all reports, rejected included; ties
-- broken by the smallest value, so the choice is deterministic). Also counts of reports and years.

with reports as (
    select
        agency_id, agency_name, agency_qualified_name, province, city, county, admin_level, division_code,
        report_year, has_facts
    from {{ ref('int_reports') }}
    where agency_id is not null
),

attribute_values as (
    unpivot reports
    on agency_qualified_name, province, city, county, admin_level, division_code
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
        max(attribute_value) filter (where attribute = 'agency_qualified_name') as agency_qualified_name,
        max(attribute_value) filter (where attribute = 'province') as province,
        max(attribute_value) filter (where attribute = 'city') as city,
        max(attribute_value) filter (where attribute = 'county') as county,
        max(attribute_value) filter (where attribute = 'admin_level') as admin_level,
        max(attribute_value) filter (where attribute = 'division_code') as division_code
    from ranked
    where rank_in_agency = 1
    group by agency_id
),

-- the name as printed: a body renamed over the years shows its latest name
printed_names as (
    select agency_id, agency_name, max(report_year) as last_year, count(*) as n_reports
    from reports
    where agency_name is not null
    group by agency_id, agency_name
),

latest_name as (
    select agency_id, agency_name
    from printed_names
    qualify row_number() over (
        partition by agency_id
        order by last_year desc nulls last, n_reports desc, agency_name asc
    ) = 1
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
    coalesce(latest_name.agency_name, chosen.agency_qualified_name) as agency_name,
    chosen.province,
    chosen.city,
    chosen.county,
    chosen.admin_level,
    chosen.division_code,
    counts.n_reports,
    counts.n_reports_with_facts,
    counts.first_report_year,
    counts.last_report_year,
    chosen.agency_qualified_name
from counts
left join chosen
    on chosen.agency_id = counts.agency_id
left join latest_name
    on latest_name.agency_id = counts.agency_id
