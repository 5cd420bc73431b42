"""How a failed run is told: one line per cause, whatever shape the error's message has."""
from __future__ import annotations

from nianbao.run.settings import Settings
from orchestration.failures import classify


def test_a_crash_with_a_message_over_several_lines_is_told_on_one_line(tmp_path):
    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "w.duckdb")
    crash = RuntimeError("The dbt CLI process with command\n\n`nianbao-dbt build --vars x`\n\n"
                         "failed with exit code `2`.")
    failure = classify(settings, crash=crash)
    assert failure.lines[0] == ("nianbao: the run stopped: RuntimeError: The dbt CLI process with command "
                                "`nianbao-dbt build --vars x` failed with exit code `2`.")
    assert failure.exit_code != 0 and not failure.rebuild


def test_a_run_that_fails_outside_its_steps_says_why(tmp_path):
    """An executor or a resource failing: Dagster's run-failure event, no step failed."""
    from types import SimpleNamespace

    error = SimpleNamespace(cls_name="ParameterCheckError", cause=None, context=None,
                            message="ParameterCheckError: Invariant violation for parameter plan_context.\n"
                                    "Expected executor to be DaskExecutor",
                            to_string=lambda: "ParameterCheckError: … (stack)")
    event = SimpleNamespace(is_step_failure=False, is_run_failure=True, job_failure_data=SimpleNamespace(error=error))
    result = SimpleNamespace(all_events=[event], success=False)
    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "w.duckdb")
    failure = classify(settings, result=result)
    assert failure.lines[0] == ("nianbao: the run failed before or between its steps: ParameterCheckError: "
                                "Invariant violation for parameter plan_context. Expected executor to be DaskExecutor")
    assert any("(stack)" in d for d in failure.details)
