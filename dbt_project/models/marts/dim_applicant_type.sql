-- One row per applicant column of table 三, from the vocabulary.

select
    applicant_type,
    label_zh,
    applicant_group,
    applicant_group_label_zh,
    sort_order
from {{ ref('stg_raw__vocab_applicant_types') }}
