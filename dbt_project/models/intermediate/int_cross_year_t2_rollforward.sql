-- Cross-report rules on table 二 (format-spec §2.3; warn severity from the vocabulary):
--
--   t2_2021_in_force_rollforward: 现行有效件数(N) = 现行有效件数(N−1) + 本年制发件数(N)
--     − 本年废止件数(N), per item (规章, 行政规范性文件), both years on the 2021 template.
--   t2_2019_item_rollforward: 上一年项目数量(N+1) = 上一年项目数量(N) + 本年增/减(N), per item
--     (行政许可, 其他对外管理服务事项, 行政处罚, 行政强制, 行政事业性收费), both years on the 2019
--     template (so only 2019 → 2020 can be tested; 2020 → 2021 crosses the template break,
--     where the columns change meaning: never linked).
--
-- One row per later report (report_id, year N or N+1) × item × earlier report of the same
-- agency one year before (related_report_id), for annual reports, where every value of the
-- equation is present. Like t3_cross_year_carryover, every pair of reports is evaluated when an
-- agency has more than one report in a year.

with cells as (
    select
        d.report_id,
        d.agency_id,
        d.report_year,
        r.template,
        d.item,
        d.measure,
        d.value
    from {{ ref('int_proactive_disclosure') }} as d
    inner join {{ ref('int_reports') }} as r
        on r.report_id = d.report_id
    where d.agency_id is not null
      and d.report_year is not null
      and d.value is not null
      and coalesce(r.document_kind, 'annual_report') = 'annual_report'
      and d.measure in ('in_force_count', 'issued_count', 'repealed_count',
                        'prior_year_item_count', 'item_count_change')
),

per_item as (
    select
        report_id,
        agency_id,
        report_year,
        template,
        item,
        max(value) filter (where measure = 'in_force_count') as in_force,
        max(value) filter (where measure = 'issued_count') as issued,
        max(value) filter (where measure = 'repealed_count') as repealed,
        max(value) filter (where measure = 'prior_year_item_count') as prior_items,
        max(value) filter (where measure = 'item_count_change') as item_change
    from cells
    group by all
),

agencies as (
    select distinct agency_id, agency_name
    from {{ ref('int_reports') }}
    where agency_id is not null
),

in_force as (
    select
        cur.report_id,
        cur.agency_id,
        cur.report_year,
        't2_2021_in_force_rollforward' as rule,
        cur.item as scope_id,
        cur.in_force as left_value,
        prev.in_force + cur.issued - cur.repealed as right_value,
        prev.report_id as related_report_id,
        prev.report_year as related_report_year,
        format(
            '{}: 现行有效件数 {} (report {}) = {} vs 现行有效件数 {} (report {}) {} + 本年制发 {} − 本年废止 {} = {}, item {}',
            a.agency_name, cur.report_year, cur.report_id, cur.in_force, prev.report_year, prev.report_id,
            prev.in_force, cur.issued, cur.repealed, prev.in_force + cur.issued - cur.repealed, cur.item
        ) as note
    from per_item as cur
    inner join per_item as prev
        on prev.agency_id = cur.agency_id
       and prev.report_year = cur.report_year - 1
       and prev.item = cur.item
    left join agencies as a
        on a.agency_id = cur.agency_id
    where cur.template = '2021'
      and prev.template = '2021'
      and cur.in_force is not null
      and cur.issued is not null
      and cur.repealed is not null
      and prev.in_force is not null
),

items as (
    select
        nxt.report_id,
        nxt.agency_id,
        nxt.report_year,
        't2_2019_item_rollforward' as rule,
        nxt.item as scope_id,
        nxt.prior_items as left_value,
        cur.prior_items + cur.item_change as right_value,
        cur.report_id as related_report_id,
        cur.report_year as related_report_year,
        format(
            '{}: 上一年项目数量 {} (report {}) = {} vs 上一年项目数量 {} (report {}) {} + 本年增/减 {} = {}, item {}',
            a.agency_name, nxt.report_year, nxt.report_id, nxt.prior_items, cur.report_year, cur.report_id,
            cur.prior_items, cur.item_change, cur.prior_items + cur.item_change, nxt.item
        ) as note
    from per_item as nxt
    inner join per_item as cur
        on cur.agency_id = nxt.agency_id
       and cur.report_year = nxt.report_year - 1
       and cur.item = nxt.item
    left join agencies as a
        on a.agency_id = nxt.agency_id
    where nxt.template = '2019'
      and cur.template = '2019'
      and nxt.prior_items is not null
      and cur.prior_items is not null
      and cur.item_change is not null
)

select
    report_id,
    agency_id,
    report_year,
    rule,
    scope_id,
    left_value,
    right_value,
    left_value - right_value as difference,
    abs(left_value - right_value) < 1e-6 as passed,
    related_report_id,
    related_report_year,
    note
from (
    select * from in_force
    union all
    select * from items
)
