{#
  Cross-report rules compare a report of year N with the same agency's report(s) of year N−1
  (format-spec §2.3). previous_year_pairs renders the FROM clause every such rule shares:
  `later` (alias cur, year N) joined with `earlier` (alias prev, year N−1) of the same agency
  and the same `same` columns (every pair of reports when an agency has several in a year),
  plus the agency's name (alias a, from the CTE agency_names).

  cross_year_columns renders the rule row every such rule produces, from cur and prev.
#}
{% macro previous_year_pairs(later, earlier, same=[]) -%}
    from {{ later }} as cur
    inner join {{ earlier }} as prev
        on prev.agency_id = cur.agency_id
       and prev.report_year = cur.report_year - 1
    {%- for column in same %}
       and prev.{{ column }} = cur.{{ column }}
    {%- endfor %}
    left join agency_names as a
        on a.agency_id = cur.agency_id
{%- endmacro %}


{% macro cross_year_columns(rule, scope_id, left_value, right_value, passed, note) -%}
        cur.report_id,
        cur.agency_id,
        cur.report_year,
        '{{ rule }}' as rule,
        {{ scope_id }} as scope_id,
        {{ left_value }} as left_value,
        {{ right_value }} as right_value,
        ({{ left_value }}) - ({{ right_value }}) as difference,
        {{ passed }} as passed,
        prev.report_id as related_report_id,
        prev.report_year as related_report_year,
        {{ note }} as note
{%- endmacro %}
