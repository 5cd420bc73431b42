"""dagster-dbt's ``DbtCliResource`` without two costs it pays on every ``dbt.cli()`` call that a
run of ours never uses (docs/scaling.md has the figure):

* ``dbt --version`` in a subprocess (a whole dbt start-up) to learn dbt's version: dbt-core is
  installed in this environment and pinned, so its version is read in process;
* a dbt adapter built in process (profile, project and macros loaded) that serves only
  ``fetch_row_counts`` / ``fetch_column_metadata``, which we do not call.

Both are private methods of ``DbtCliResource``: verified on the versions below
(tests/unit/test_runtime_fence.py fails on any other).
"""

from functools import cached_property

from dagster_dbt import DbtCliResource
from packaging import version

VERIFIED_ON = {"dagster-dbt": "0.29.27", "dbt-core": "1.11.16"}


class NianbaoDbtCliResource(DbtCliResource):
    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 (same signature as the parent)
        return None
