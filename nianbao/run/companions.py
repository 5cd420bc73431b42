"""Files a run publishes beside the warehouse: Great Expectations' Data Docs folder (built by the
checks in the work directory) and the run report (nianbao/overview). Like the warehouse, readers
never see half of one: a folder is built aside and swapped in by renames, a file is renamed over
the old one."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from nianbao.run.settings import Settings


def publish_data_docs(settings: Settings) -> Path | None:
    """Move the run's Data Docs (work directory) to ``settings.data_docs_dir``, replacing the
    previous run's; None when the run built none."""
    built = settings.work_data_docs_dir
    if not (built / "index.html").exists():
        return None
    target = settings.data_docs_dir
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)  # left by a publish killed half-way
    if target.exists():
        os.rename(target, old)
    os.rename(built, target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def write_file_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to a hidden file beside ``path`` and rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.writing")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
