{#
  Every column-level guarantee of one model in one dbt test (one node, one query) instead of
  one test per column and guarantee. Arguments, all optional:

    unique:          list of keys; a key is a column or a list of columns. Nulls compare equal
                     (GROUP BY semantics), so a null key part does not hide a duplicate.
    not_null:        list of columns.
    accepted_values: {column: [values]}; nulls pass (as dbt's accepted_values).
    relationships:   list of {column: c or [c, …], to: ref(…), field: f or [f, …]}: every
                     (column values) combination with no null part exists as (field values) in `to`.
    changed_only:    for incremental models (macros/report_sync.sql): check only the rows this
                     run (re)built — `report`: rows of the changed reports; `report_or_agency`:
                     also every row of an affected agency (fct_reconciliation's cross-report
                     rows). Rows of unchanged reports were checked when they were built, and
                     every guarantee here is about a row or a key that starts with report_id.
                     A full build checks every row (every report is changed then).

  Fails with one row per broken guarantee: `check` (e.g. `not_null(report_id)`) and `n_rows`.

  Uniqueness is fast on tens of millions of rows: a first pass groups by DuckDB's 64-bit hash
  of the key; only keys whose hash repeats are then grouped exactly, so a hash collision can
  never produce a false failure.
#}
{% test table_checks(model, unique=[], not_null=[], accepted_values={}, relationships=[], changed_only=none) %}
{%- set changes = ref('int_report_changes') if changed_only else none -%}
{#- on a build of every report, every row is checked: no filter (and the table is read as is) -#}
{%- set only_changed = changed_only and execute and not rebuild_all() -%}
with checked_rows as {{ 'materialized' if only_changed else 'not materialized' }} (
    select *
    from {{ model }}
    {%- if only_changed %}
    where report_id in (select report_id from {{ changes }} where is_changed)
    {%- if changed_only == 'report_or_agency' %}
       or agency_id in (
           select agency_id from {{ changes }} where is_changed and agency_id is not null
           union
           select previous_agency_id from {{ changes }} where is_changed and previous_agency_id is not null
       )
    {%- endif %}
    {%- endif %}
),

column_checks as (
    select
        {%- for column in not_null %}
        count(*) filter (where {{ column }} is null) as "not_null({{ column }})",
        {%- endfor %}
        {%- for column, values in accepted_values.items() %}
        count(*) filter (where {{ column }} not in (
            {%- for value in values %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor -%}
        )) as "accepted_values({{ column }})",
        {%- endfor %}
        0 as "(none)"
    from checked_rows
),

failures as (
    select "check", n_rows
    from (unpivot column_checks on columns(*) into name "check" value n_rows)

    {%- for key in unique %}
    {%- set cols = [key] if key is string else key %}
    {%- set col_list = cols | join(', ') %}
    union all
    select 'unique({{ col_list }})', count(*)
    from (
        select {{ col_list }}
        from checked_rows
        where hash({{ col_list }}) in (
            select hash({{ col_list }}) from checked_rows group by 1 having count(*) > 1
        )
        group by {{ col_list }}
        having count(*) > 1
    )
    {%- endfor %}

    {%- for rel in relationships %}
    {%- set cols = [rel.column] if rel.column is string else rel.column %}
    {%- set fields = [rel.field] if rel.field is string else rel.field %}
    union all
    select 'relationships({{ cols | join(", ") }} → {{ rel.to.identifier }}.{{ fields | join(", ") }})', count(*)
    from (
        select distinct {{ cols | join(', ') }}
        from checked_rows
        where {% for c in cols %}{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
    ) as child
    where not exists (
        select 1 from {{ rel.to }} as parent
        where {% for i in range(cols | length) %}parent.{{ fields[i] }} = child.{{ cols[i] }}{% if not loop.last %} and {% endif %}{% endfor %}
    )
    {%- endfor %}
)

select "check", n_rows
from failures
where n_rows > 0
{% endtest %}
