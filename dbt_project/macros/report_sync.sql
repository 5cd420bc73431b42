{#
  Incremental per-report models (materialized='incremental', incremental_strategy='report_sync').

  A report's rows in a per-report model depend only on that report's raw rows (raw.reports and
  the per-report raw tables, which nianbao.run.warehouse.load_raw replaces together when a report is
  (re)parsed), on the vocabulary and on the dbt code. So a run only has to rebuild the reports
  whose fingerprint changed since the last complete build:

    * int_report_changes lists every current and every previously built report with is_changed:
      added, re-parsed (its int_reports row differs, e.g. a new parser_version or status),
      removed (gone from the raw layer), or all of them when the vocabulary changed.
    * a per-report model filters its input with changed_reports() on an incremental run;
      the report_sync strategy deletes the rows of every changed report, then inserts the new
      rows (delete+insert keyed by report_id, removals included).
    * on-run-end (save_report_state) records the fingerprints once every per-report model has
      been built in this invocation. A run that fails part-way records nothing, so the next run
      sees the same changes again (plus its own): rebuilding a report twice is harmless.
    * should_full_refresh (below) rebuilds an incremental model from scratch when it has no
      recorded state or the dbt code changed (build_signature: every model and macro of the
      project), so a changed model never mixes rows computed by old and new SQL.

  State lives in schema dbt_state (internal; not a model): report_state(report_id, agency_id,
  fingerprint) and build_signature(signature).

  The cross-report models are incremental by agency on the same changes: macros/agency_sync.sql.
#}

{% macro state_relation(name) -%}
    {%- do return(adapter.get_relation(database=target.database, schema='dbt_state', identifier=name)) -%}
{%- endmacro %}


{#- md5 of the project's models and macros (their file checksums / SQL): changes with any dbt code change. -#}
{% macro build_signature() -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name -%}
            {%- do parts.append(node.unique_id ~ ':' ~ node.checksum.checksum ~ ':' ~ node.config.materialized) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- the project's macros (graph has no macros; the project's macro namespace holds their SQL) -#}
    {%- set project_macros = context[project_name] -%}
    {%- for name in project_macros.keys() | sort -%}
        {%- do parts.append(name ~ ':' ~ local_md5(project_macros[name].macro.macro_sql)) -%}
    {%- endfor -%}
    {{- local_md5(parts | join('|')) -}}
{%- endmacro %}


{#- The signature recorded by the last complete build, or none. -#}
{% macro recorded_signature() -%}
    {%- if not execute -%}{%- do return(none) -%}{%- endif -%}
    {%- set rel = state_relation('build_signature') -%}
    {%- if rel is none -%}{%- do return(none) -%}{%- endif -%}
    {%- set rows = run_query('select signature from ' ~ rel ~ ' limit 1').rows -%}
    {%- do return(rows[0][0] if rows | length > 0 else none) -%}
{%- endmacro %}


{#-
  Everything must be rebuilt: --full-refresh, no recorded state, or the dbt code changed.
  Asked several times per node (is_incremental, the materialization, the tests), so the answer
  is kept for the invocation in the graph dict every node's context shares (the state it reads
  changes only on-run-end).
-#}
{% macro rebuild_all() -%}
    {%- if flags.FULL_REFRESH -%}{%- do return(true) -%}{%- endif -%}
    {%- if 'nianbao_rebuild_all' not in graph -%}
        {%- set answer = recorded_signature() != build_signature() or state_relation('report_state') is none -%}
        {%- do graph.update({'nianbao_rebuild_all': answer}) -%}
    {%- endif -%}
    {%- do return(graph['nianbao_rebuild_all']) -%}
{%- endmacro %}


{#- dbt's own should_full_refresh, plus: an incremental model is rebuilt from scratch when rebuild_all(). -#}
{% macro should_full_refresh() %}
    {%- set config_full_refresh = config.get('full_refresh') -%}
    {%- if config_full_refresh is none -%}
        {%- set config_full_refresh = flags.FULL_REFRESH -%}
    {%- endif -%}
    {%- if not config_full_refresh and execute and model is defined and model.config.materialized == 'incremental' -%}
        {%- set config_full_refresh = rebuild_all() -%}
    {%- endif -%}
    {%- do return(config_full_refresh) -%}
{% endmacro %}


{#-
  The filter of a per-report model's input: on an incremental run only the changed reports,
  otherwise every report. `column` names the report_id column to filter on.
  ref() is called unconditionally so that dbt records the dependency at parse time.
-#}
{% macro changed_reports(column='report_id') -%}
    {%- set changes = ref('int_report_changes') -%}
    {%- if is_incremental() -%}
        {{ column }} in (select report_id from {{ changes }} where is_changed)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- Agencies whose cross-report rows must be recomputed: old and new agency of every changed report. -#}
{% macro affected_agencies() -%}
    (
        select agency_id from {{ ref('int_report_changes') }} where is_changed and agency_id is not null
        union
        select previous_agency_id from {{ ref('int_report_changes') }} where is_changed and previous_agency_id is not null
    )
{%- endmacro %}


{#-
  Incremental strategy report_sync: delete the target rows of every changed report (and, in a
  model with a related_report_id column — fct_reconciliation — the cross-report rows, those
  with a related_report_id, of every affected agency), then insert the new rows.
-#}
{% macro get_incremental_report_sync_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    delete from {{ target }}
    where report_id in (select report_id from {{ ref('int_report_changes') }} where is_changed)
    {%- if 'related_report_id' in arg_dict['dest_columns'] | map(attribute='name') | list %}
       or (related_report_id is not null and agency_id in {{ affected_agencies() }})
    {%- endif %};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{% endmacro %}


{#-
  on-run-end: record the fingerprints of int_report_changes once every incremental model of
  the project (and int_report_changes itself) was built successfully in this invocation.
-#}
{% macro save_report_state(results) %}
    {%- if not execute -%}{%- do return('') -%}{%- endif -%}
    {%- set needed = ['model.' ~ project_name ~ '.int_report_changes'] -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model' and node.package_name == project_name and node.config.materialized == 'incremental' -%}
            {%- do needed.append(node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set succeeded = [] -%}
    {%- for res in results -%}
        {%- if res.status == 'success' -%}{%- do succeeded.append(res.node.unique_id) -%}{%- endif -%}
    {%- endfor -%}
    {%- for unique_id in needed -%}
        {%- if unique_id not in succeeded -%}{%- do return('') -%}{%- endif -%}
    {%- endfor -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.int_report_changes'] -%}
    {%- set changes = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- set sql -%}
        create schema if not exists dbt_state;
        create or replace table dbt_state.report_state as
            select report_id, agency_id, fingerprint from {{ changes }} where is_current;
        create or replace table dbt_state.build_signature as select '{{ build_signature() }}' as signature;
    {%- endset -%}
    {%- do run_query(sql) -%}
    {%- do return('') -%}
{% endmacro %}
