{{ config(materialized='table') }}
-- One row per report that is current (in int_reports) or was built by the last complete dbt
-- build (dbt_state.report_state, written on-run-end by macro save_report_state): its
-- fingerprint and whether the per-report models must rebuild it (is_changed). See
-- macros/report_sync.sql.
--
-- The fingerprint is a hash of the report's int_reports row but its path (every raw.reports column: a
-- re-parse writes a new parser_version, status or content) and of the whole vocabulary (a
-- vocabulary change rebuilds every report). A report is changed when it is new, its
-- fingerprint differs, or it is gone; every report is changed when rebuild_all() (first
-- build, --full-refresh, or the dbt code changed).

{%- set state = state_relation('report_state') if execute else none %}
{%- set everything = rebuild_all() if execute else true %}

with vocabulary as (
    select hash(list(v order by v)) as vocabulary_hash
    from (
        {%- for name in ['applicant_types', 'flows', 'outcomes', 'proceeding_results', 'disclosure_items',
                         'disclosure_measures', 'rules', 'legacy_measures'] %}
        select '{{ name }}' as vocabulary_table, bit_xor(hash(t)) as table_hash
        from {{ ref('stg_raw__vocab_' ~ name) }} as t
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as v
),

current_reports as (
    select
        r.report_id,
        r.agency_id,
        hash(r, (select vocabulary_hash from vocabulary)) as fingerprint
    -- a renamed file changes no per-report row (no per-report model holds the path)
    from (select * exclude (source_path) from {{ ref('int_reports') }}) as r
),

previous_reports as (
    {%- if state is not none and not everything %}
    select report_id, agency_id, fingerprint from {{ state }}
    {%- else %}
    select cast(null as varchar) as report_id, cast(null as varchar) as agency_id, cast(null as ubigint) as fingerprint
    where false
    {%- endif %}
)

select
    coalesce(c.report_id, p.report_id) as report_id,
    c.agency_id,
    p.agency_id as previous_agency_id,
    c.fingerprint,
    c.report_id is not null as is_current,
    {%- if everything %}
    true as is_changed
    {%- else %}
    c.fingerprint is distinct from p.fingerprint as is_changed
    {%- endif %}
from current_reports as c
full outer join previous_reports as p
    on p.report_id = c.report_id
