"""The vocabulary is the single source: docs and dimension tables come from it."""
from nianbao.vocabulary import docs
from nianbao.vocabulary.dimensions import dimension_tables
from nianbao.vocabulary.loader import load
from tests.conftest import REPO


def test_vocabulary_doc_is_generated_from_the_vocabulary():
    assert (REPO / "docs" / "vocabulary.md").read_text("utf-8") == docs.render(), \
        "run: python -m nianbao.vocabulary.docs > docs/vocabulary.md"


def test_outcomes_per_template_match_the_official_tables():
    v = load()
    # 2019: （一）（二） + 8 + 3 + 5 + （六） as a leaf = 19; 2021: （六） has three leaves = 21
    assert len(v.outcomes_for("2019")) == 19
    assert len(v.outcomes_for("2021")) == 21
    assert len(v.table_applicants) == 6
    rule_ids = {r.id for r in v.rules}
    assert {"t3_column_balance", "t3_row_total", "t3_outcome_sum", "t4_group_total"} <= rule_ids


def test_dimension_tables_have_unique_ids():
    dims = dimension_tables()
    for table, key in [("vocab_applicant_types", "applicant_type"), ("vocab_outcomes", "outcome"),
                       ("vocab_rules", "rule"), ("vocab_flows", "flow")]:
        ids = [r[key] for r in dims[table]]
        assert len(ids) == len(set(ids)), table
