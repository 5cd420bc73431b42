{#
  on-run-end: store the descriptions of the marts models (schema.yml) as DuckDB comments on
  their tables and columns, so `duckdb_tables()` / `duckdb_columns()` and BI tools show them.

  dbt's persist_docs does this per model with one statement and one catalog query per column
  set, on the model's own thread; here every table built (or rebuilt) in this invocation is
  commented in one batch at the end. Tables not rebuilt keep the comments they have (an
  incremental insert keeps them; a rebuilt table is in `results`).
#}
{% macro comment_marts(results) %}
    {%- if not execute -%}{%- do return('') -%}{%- endif -%}
    {%- set built = [] -%}
    {%- for res in results -%}
        {%- if res.status == 'success' and res.node.resource_type == 'model' and res.node.schema == 'marts' -%}
            {%- do built.append(res.node.unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not built -%}{%- do return('') -%}{%- endif -%}
    {%- set existing = {} -%}
    {%- for row in run_query("select table_name, column_name from duckdb_columns() where schema_name = 'marts' and database_name = '" ~ target.database ~ "'").rows -%}
        {%- do existing.setdefault(row[0], []).append(row[1]) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for unique_id in built -%}
        {%- set node = graph.nodes[unique_id] -%}
        {%- if node.alias in existing -%}
            {%- set relation = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- if node.description -%}
                {%- do statements.append('comment on table ' ~ relation ~ ' is ' ~ duckdb_escape_comment(node.description)) -%}
            {%- endif -%}
            {%- for name, column in node.columns.items() -%}
                {%- if column.description and name in existing[node.alias] -%}
                    {%- do statements.append('comment on column ' ~ relation ~ '.' ~ adapter.quote(name) ~ ' is ' ~ duckdb_escape_comment(column.description)) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if statements -%}
        {%- do run_query(statements | join(';\n')) -%}
    {%- endif -%}
    {%- do return('') -%}
{% endmacro %}
