"""The vocabulary, declared once as data (vocabulary.yaml) and read by everything else.

loader      the yaml → typed lookups (rows, columns, synonyms, rules, legacy measures)
dimensions  rows of the raw.vocab_* tables that dbt turns into dim_* tables
docs        docs/vocabulary.md, generated (python -m nianbao.vocabulary.docs)
"""
