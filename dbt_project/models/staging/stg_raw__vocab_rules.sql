-- Staging model (ephemeral) of raw.vocab_rules: column names as written by the parse step, types cast; nothing else.
select
    cast(rule as varchar) as rule,
    cast(severity as varchar) as severity,
    cast(scope as varchar) as scope,
    cast(statement_zh as varchar) as statement_zh,
    cast(basis as varchar) as basis,
    cast(source as varchar) as source
from {{ source('raw', 'vocab_rules') }}
