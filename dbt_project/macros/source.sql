{#
  source() as dbt's own, except in the partitioned job (orchestration/assets/partitions.py): there the
  per-report raw tables are Parquet files written by the parse partitions, one per partition,
  and dbt reads them where they are:

    dbt build --vars '{raw_parquet_dir: /shared/parquet, raw_parquet_tables: [reports, report_cells, …]}'

  makes source('raw', 'report_cells') read read_parquet('/shared/parquet/report_cells/*.parquet').
  The lineage is unchanged (builtins.source is always called, so every model keeps its source
  dependency); without the vars nothing changes.
#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- set parquet_dir = var('raw_parquet_dir', '') -%}
    {%- if parquet_dir and source_name == 'raw' and table_name in var('raw_parquet_tables', []) -%}
        {%- do return("read_parquet('" ~ parquet_dir ~ "/" ~ table_name ~ "/*.parquet')") -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
