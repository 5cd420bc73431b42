"""Great Expectations suites generated from the vocabulary's rules, and their Data Docs.

Each rule of vocabulary.yaml is one expectation suite of the same name, stating the rule over the
rows it compares (nianbao/checks/rows.py builds them in DuckDB):

* ``ExpectColumnPairValuesToBeEqual(left_value, right_value)`` on the rule's rows — the rule
  itself, per report and scope (severity critical for an error rule, warning for a warning rule);
* for a rule with a side made only of leaf cells, a second suite ``<rule>.facts_agree``:
  ``ExpectColumnPairValuesToBeEqual(recorded_value, facts_value)``.

GE's result is the verdict: the rows it lists as unexpected are the failures the warehouse keeps.
GE's SQL datasource is broken on DuckDB (stack notes §3.4), so frames go through its pandas
datasource. ``import great_expectations`` costs seconds: it happens only when a Validator is made
(the dbt step starts it in the background: orchestration/assets/dbt.py).
"""
from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from nianbao.vocabulary.loader import Rule

SITE = "nianbao"
# Changing what the suites state invalidates every kept verdict (rows.KeptVerdicts signature).
SUITES_VERSION = "2"
SIDES = ("left_value", "right_value")
FACTS = ("recorded_value", "facts_value")


def facts_suite_name(rule_id: str) -> str:
    return f"{rule_id}-facts_agree"  # GE makes folders of the parts of a dotted name


@dataclass
class Validation:
    """One suite validated on one frame."""

    suite: str
    rule: str
    expectation: str
    columns: tuple[str, str]
    rows: int
    success: bool
    failing_row_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int64"))


def suites_signature() -> str:
    import great_expectations as gx

    return f"ge {gx.__version__} suites {SUITES_VERSION}"


class Validator:
    """An ephemeral GE context with one suite per rule (and per facts check) and, when docs_dir is
    given, a Data Docs site there."""

    def __init__(self, rules: Sequence[Rule], docs_dir: Path | None, run_name: str):
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        self._gx = gx
        self.context = gx.get_context(mode="ephemeral")
        # no tqdm bars on the run's console
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self.docs_dir = docs_dir
        if docs_dir is not None:
            shutil.rmtree(docs_dir, ignore_errors=True)  # this run's validations only
            self.context.add_data_docs_site(SITE, {
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            })
        self.run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
        self._source = self.context.data_sources.add_pandas("nianbao")
        self._rules = {r.id: r for r in rules}
        self._definitions: dict[str, object] = {}

    def _definition(self, suite_name: str, rule: Rule, columns: tuple[str, str], facts: bool):
        if suite_name in self._definitions:
            return self._definitions[suite_name]
        import great_expectations.expectations as gxe

        gx = self._gx
        if facts:
            notes = (f"The side of rule {rule.id} made only of leaf cells, as recorded in marts.fct_reconciliation "
                     "(recorded_value), equals the sum of the same cells in the fact tables (facts_value): no cell "
                     "was lost or altered between the parse and the marts.")
            severity = "critical"
        else:
            notes = (f"{rule.statement_zh} — left side ({' + '.join(rule.left)}) = right side "
                     f"({' + '.join(rule.right)}), per report and {rule.per or 'scope'}; basis: {rule.basis}. "
                     "Rows: marts.fct_reconciliation, those the parse could evaluate.")
            severity = "critical" if rule.severity == "error" else "warning"
        expectation = gxe.ExpectColumnPairValuesToBeEqual(
            column_A=columns[0], column_B=columns[1], severity=severity, notes=notes,
            meta={"rule": rule.id, "rule_severity": rule.severity, "check": "facts_agree" if facts else "sides_equal"})
        suite = self.context.suites.add(gx.ExpectationSuite(name=suite_name, expectations=[expectation]))
        asset = self._source.add_dataframe_asset(suite_name)
        batch = asset.add_batch_definition_whole_dataframe("rows")
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=batch, suite=suite))
        self._definitions[suite_name] = definition
        return definition

    def validate(self, rule_id: str, frame: pd.DataFrame, facts: bool = False) -> Validation:
        """Validate the rule (or its facts check) on ``frame`` (its rows only; indexed by row_id,
        with the compared pair of columns and rows.NAMED_COLUMNS)."""
        rule = self._rules[rule_id]
        columns = FACTS if facts else SIDES
        name = facts_suite_name(rule_id) if facts else rule_id
        definition = self._definition(name, rule, columns, facts)
        result = definition.run(
            batch_parameters={"dataframe": frame}, run_id=self.run_id,
            # every failing row's index (its row_id); the values of the first few only (Data Docs)
            result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False,
                           "exclude_unexpected_values": False})
        expectation_result = result.results[0]
        if expectation_result.exception_info.get("raised_exception"):
            raise RuntimeError(f"Great Expectations could not validate {name}: "
                               f"{expectation_result.exception_info.get('exception_message')}")
        listed = expectation_result.result.get("unexpected_index_list") or []
        failing = np.asarray(listed, dtype="int64")
        if len(failing) != int(expectation_result.result.get("unexpected_count") or 0):
            raise RuntimeError(f"Great Expectations listed {len(failing)} of the "
                               f"{expectation_result.result.get('unexpected_count')} failing rows of {name}")
        return Validation(suite=name, rule=rule_id, expectation=expectation_result.expectation_config.type,
                          columns=columns, rows=len(frame), success=bool(result.success),
                          failing_row_ids=failing)

    def build_docs(self) -> dict[str, str]:
        """Build the Data Docs site; returns {suite: its validation page, relative to docs_dir}
        and "index": "index.html". Each suite is validated at most once per run, so its folder
        under validations/ holds one page."""
        if self.docs_dir is None:
            return {}
        self.context.build_data_docs(site_names=[SITE])
        pages = {"index": "index.html"}
        for suite in self._definitions:
            found = sorted((self.docs_dir / "validations" / suite).rglob("*.html"))
            if found:
                pages[suite] = found[-1].relative_to(self.docs_dir).as_posix()
        return pages
