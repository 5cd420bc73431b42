-- Staging model (ephemeral) of raw.rule_results: column names as written by the parse step, types cast; nothing else.
select
    cast(report_id as varchar) as report_id,
    cast(rule as varchar) as rule,
    cast(scope_id as varchar) as scope_id,
    cast(left_value as double) as left_value,
    cast(right_value as double) as right_value,
    cast(difference as double) as difference,
    cast(passed as boolean) as passed,
    cast(note as varchar) as note
from {{ source('raw', 'rule_results') }}
