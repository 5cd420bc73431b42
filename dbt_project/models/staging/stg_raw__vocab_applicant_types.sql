-- Staging model (ephemeral) of raw.vocab_applicant_types: columns as written by the run, types cast; nothing else.
select
    cast(applicant_type as varchar) as applicant_type,
    cast(label_zh as varchar) as label_zh,
    cast(applicant_group as varchar) as applicant_group,
    cast(applicant_group_label_zh as varchar) as applicant_group_label_zh,
    cast(sort_order as integer) as sort_order
from {{ source('raw', 'vocab_applicant_types') }}
