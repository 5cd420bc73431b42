"""The run report is written after the warehouse is swapped in: a report that cannot be written
must not fail the run (the warehouse is published) nor leave an earlier run's report behind."""
from __future__ import annotations

from pathlib import Path

from nianbao.run.settings import Settings
from orchestration.assets import publish


def test_a_report_that_cannot_be_written_is_a_warning_and_no_stale_report_stays(tmp_path, monkeypatch, caplog):
    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "w.duckdb")
    settings.report_path.write_text("<html>an earlier run's report</html>")

    def full_disk(_settings):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish, "write_run_report", full_disk)
    with caplog.at_level("WARNING", logger="nianbao.progress"):
        metadata = publish._run_report(settings)
    assert metadata == {"run_report_error": "OSError: [Errno 28] No space left on device"}
    assert not settings.report_path.exists()
    assert "the warehouse is published" in caplog.text


def test_a_written_report_is_in_the_metadata(tmp_path, monkeypatch):
    settings = Settings(raw_dir=tmp_path / "raw", db_path=tmp_path / "w.duckdb")

    def write(s):
        Path(s.report_path).write_text("<html></html>")
        return s.report_path

    monkeypatch.setattr(publish, "write_run_report", write)
    assert publish._run_report(settings)["run_report"].path == str(settings.report_path)
