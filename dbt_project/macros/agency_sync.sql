{#
  Incremental cross-report models (materialized='incremental', incremental_strategy='agency_sync').

  A cross-report row (the ranking of an agency's duplicates and its agency-year primary, a
  report's rule counts with the cross-year rules, an agency-year's figures) depends on the
  reports of one agency only, and on the per-report rows of those reports. So on an incremental
  run (macros/report_sync.sql says when a run is one) such a model recomputes only:

    * the rows of the affected agencies (affected_agencies(): old and new agency of every
      changed report), and
    * the rows of the changed reports themselves (a report with a null agency_id — rejected,
      or no agency read — depends on nothing but its own rows, so it changes only with its
      fingerprint),

  selected with changed_agencies(); the agency_sync strategy deletes the target's rows of those
  agencies, of those reports (removals included) and of every report the new rows hold, then
  inserts the new rows. A model with more dependencies adds its own selection: dim_report
  also recomputes the reports whose paths changed (a rename or a copy changes no fingerprint).
  A run that rebuilds everything (rebuild_all()) builds the whole table.
#}

{#-
  The filter of a cross-report model's input: on an incremental run the rows of the affected
  agencies (`agency_column`) and, when `report_column` is given, of the changed reports;
  otherwise every row. ref() is called unconditionally so that dbt records the dependency.
-#}
{% macro changed_agencies(agency_column='agency_id', report_column=none) -%}
    {%- set changes = ref('int_report_changes') -%}
    {%- if is_incremental() -%}
        ({{ agency_column }} in {{ affected_agencies() }}
        {%- if report_column %}
         or {{ report_column }} in (select report_id from {{ changes }} where is_changed)
        {%- endif %})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#-
  Incremental strategy agency_sync: delete the target rows of every affected agency and, in a
  model with a report_id column, of every changed report and of every report the new rows hold;
  then insert the new rows.
-#}
{% macro get_incremental_agency_sync_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }}
    where agency_id in {{ affected_agencies() }}
    {%- if 'report_id' in arg_dict['dest_columns'] | map(attribute='name') | list %}
       or report_id in (select report_id from {{ ref('int_report_changes') }} where is_changed)
       or report_id in (select report_id from {{ temp }})
    {%- endif %};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ temp }}
{% endmacro %}


{#-
  Incremental strategy sync (a model with a unique_key, e.g. int_reports): the model's query is
  computed in full, and the target is made equal to it by touching only the rows that differ —
  rows whose key is gone or whose row differs in any column are deleted, then the query's rows
  whose key is no longer in the target are inserted. Exact (whole rows compared, nulls equal),
  needs no recorded state, and writes a few rows instead of the whole table.
-#}
{% macro get_incremental_sync_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- if key is none or key is not string -%}
        {%- do exceptions.raise_compiler_error("incremental_strategy 'sync' needs unique_key: one column") -%}
    {%- endif -%}
    {%- set names = arg_dict['dest_columns'] | map(attribute='quoted') | list -%}
    delete from {{ target }}
    where {{ key }} in (
        select old.{{ key }}
        from {{ target }} as old
        left join {{ temp }} as new
            on new.{{ key }} = old.{{ key }}
        where row({% for c in names %}new.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %})
              is distinct from row({% for c in names %}old.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %})
    );
    insert into {{ target }} ({{ names | join(', ') }})
    select {{ names | join(', ') }}
    from {{ temp }} as new
    where not exists (select 1 from {{ target }} as old where old.{{ key }} = new.{{ key }})
{% endmacro %}
