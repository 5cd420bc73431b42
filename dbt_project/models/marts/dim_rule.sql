-- One row per reconciliation rule, from the vocabulary.

select
    rule,
    severity,
    scope,
    statement_zh,
    basis,
    source
from {{ ref('stg_raw__vocab_rules') }}
