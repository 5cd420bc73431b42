{#
  Composite-key uniqueness (dbt_utils is not available offline).
  Fails with one row per key combination that occurs more than once. Nulls compare equal
  (GROUP BY semantics), so a null key part does not hide a duplicate.

  Fast on tens of millions of rows: a first pass groups by DuckDB's 64-bit hash of the key
  (no strings in the hash table); only keys whose hash repeats are then grouped exactly, so a
  hash collision can never produce a false failure.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set cols = combination_of_columns | join(', ') -%}
with repeated_hashes as (
    select hash({{ cols }}) as key_hash
    from {{ model }}
    group by 1
    having count(*) > 1
)
select
    {{ cols }},
    count(*) as n_records
from {{ model }}
where hash({{ cols }}) in (select key_hash from repeated_hashes)
group by {{ cols }}
having count(*) > 1
{% endtest %}
