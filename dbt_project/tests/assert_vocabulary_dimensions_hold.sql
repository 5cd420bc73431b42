{{ config(meta={'dagster': {'ref': {'name': 'dim_rule'}}}) }}
-- The keys of the vocabulary dimensions (dim_applicant_type, dim_outcome, dim_proceeding_result,
-- dim_flow, dim_disclosure_item, dim_disclosure_measure, dim_rule, dim_legacy_measure) are
-- unique and not null, and dim_rule's severity and scope are known values: the table_checks
-- of the eight tables in one test (one node instead of eight; these small tables are rebuilt
-- on every run). One row per broken guarantee: model, check, n_rows. Dagster shows it as an
-- asset check of dim_rule (meta dagster.ref: a test of several models needs one to attach to).

{%- set checks = [
    ('dim_applicant_type', {'unique': ['applicant_type'], 'not_null': ['applicant_type', 'applicant_group']}),
    ('dim_outcome', {'unique': ['outcome'], 'not_null': ['outcome', 'outcome_category']}),
    ('dim_proceeding_result', {'unique': [['proceeding', 'result']], 'not_null': ['proceeding', 'result']}),
    ('dim_flow', {'unique': ['flow'], 'not_null': ['flow']}),
    ('dim_disclosure_item', {'unique': ['item'], 'not_null': ['item']}),
    ('dim_disclosure_measure', {'unique': ['measure'], 'not_null': ['measure']}),
    ('dim_rule', {'unique': ['rule'], 'not_null': ['rule'],
                  'accepted_values': {'severity': ['error', 'warn'], 'scope': ['report', 'cross_report']}}),
    ('dim_legacy_measure', {'unique': ['measure'], 'not_null': ['measure']}),
] %}

{% for name, arguments in checks %}
select '{{ name }}' as model, "check", n_rows
from (
    {{ test_table_checks(ref(name), **arguments) }}
)
{%- if not loop.last %}
union all
{%- endif %}
{% endfor %}
