"""The only code that leans on a library's internals: Dagster's storage classes (event_log_storage,
instance) and dagster-dbt's resource (dbt_resource). Each module names the versions it was
verified on (``VERIFIED_ON``); tests/unit/test_runtime_fence.py fails when an installed version
differs, and no other product module imports a private (``_``) module of a library."""
