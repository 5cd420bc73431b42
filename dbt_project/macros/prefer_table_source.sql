{#
  Source precedence for facts (format-spec §2.4: "keep the table as the fact source").

  Prose often restates table 三 / 四 ("共收到申请120件…予以公开80件"). Loading both would count
  the same requests twice. So, per report and per fact, narrative cells are kept only when the
  report has no table-sourced leaf cell for that fact; otherwise only its table cells are kept.

  `cells` names a CTE (declare it `as not materialized`) with report_id and source;
  `leaf_condition` says which of its rows are leaf cells (printed totals do not decide
  precedence). Renders a SELECT of the kept rows.

  Written for 30M-cell warehouses: table cells pass straight through; only the (few) narrative
  cells are checked, against the reports that have narrative cells.
#}
{% macro prefer_table_source(cells, leaf_condition='true') -%}
    select * from {{ cells }} where source = 'table'
    union all
    select n.*
    from {{ cells }} as n
    where n.source <> 'table'
      and n.report_id not in (
          select distinct t.report_id
          from {{ cells }} as t
          where t.source = 'table'
            and t.report_id is not null
            and ({{ leaf_condition }})
            and t.report_id in (select report_id from {{ cells }} where source <> 'table')
      )
{%- endmacro %}


{#
  The cells of one printed table (`table_id`: t2, t3, t4) that a per-report fact model is built
  from: the staged cells matching `where` (a condition on alias c), after source precedence
  (prefer_table_source with `leaf_condition`), of non-rejected reports, with the report's
  agency_id and report_year; on an incremental run only the changed reports' cells
  (changed_reports). Renders a SELECT with the cell columns plus agency_id and report_year.
#}
{% macro report_table_cells(table_id, where='true', leaf_condition='true') -%}
    with candidate_cells as not materialized (
        select c.*
        from {{ ref('stg_raw__report_cells') }} as c
        where c.table_id = '{{ table_id }}'
          and ({{ where }})
          and {{ changed_reports('c.report_id') }}
    ),

    chosen as (
        {{ prefer_table_source('candidate_cells', leaf_condition) }}
    )

    select c.*, r.agency_id, r.report_year
    from chosen as c
    inner join {{ ref('int_reports') }} as r
        on r.report_id = c.report_id
    where r.has_facts
{%- endmacro %}
