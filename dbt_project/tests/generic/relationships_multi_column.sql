{#
  Composite foreign key: every (columns) combination in the model, with no null part, must
  exist as (to_columns) in `to`. Fails with one row per missing combination.
#}
{% test relationships_multi_column(model, columns, to, to_columns) %}
with child as (
    select distinct {{ columns | join(', ') }}
    from {{ model }}
    where {% for c in columns %}{{ c }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
),
parent as (
    select distinct {{ to_columns | join(', ') }}
    from {{ to }}
)
select child.*
from child
left join parent
    on {% for i in range(columns | length) %}child.{{ columns[i] }} = parent.{{ to_columns[i] }}{% if not loop.last %} and {% endif %}{% endfor %}
where parent.{{ to_columns[0] }} is null
{% endtest %}
