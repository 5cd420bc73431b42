"""Fast paths that must give exactly what the slow path gives (speed work, issue 6)."""
from __future__ import annotations

import random
import subprocess
from pathlib import Path

import opencc
import pytest

from nianbao.parse.normalise import _t2s, _t2s_trigger, to_simplified
from nianbao.readers.decode import _BEYOND_2_BYTES

_CLIB = Path(opencc.__file__).parent / "clib"


def _t2s_dictionary_keys(tmp_path: Path) -> list[str]:
    """Keys of the t2s dictionaries whose first value differs from the key (opencc_dict dump)."""
    import json

    share = _CLIB / "share" / "opencc"
    tool = _CLIB / "bin" / "opencc_dict"
    if not tool.is_file():
        pytest.skip("opencc_dict not shipped with this OpenCC")
    config = json.loads((share / "t2s.json").read_text(encoding="utf-8"))
    files: list[str] = []

    def collect(d: dict) -> None:
        if "file" in d:
            files.append(d["file"])
        for sub in d.get("dicts", ()):
            collect(sub)

    for step in config.get("normalization", []) + config["conversion_chain"]:
        collect(step["dict"])
    keys = []
    for name in files:
        out = tmp_path / (name + ".txt")
        subprocess.run([str(tool), "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
                       check=True, env={"LD_LIBRARY_PATH": str(_CLIB / "lib64")}, capture_output=True)
        for line in out.read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            if any(v != key for v in values.split(" ")):
                keys.append(key)
    return keys


def test_every_t2s_rewrite_holds_a_trigger_character(tmp_path):
    """A text with no trigger character contains no dictionary key that t2s rewrites, so
    OpenCC would return it unchanged: skipping the call is exact."""
    trigger = _t2s_trigger()
    keys = _t2s_dictionary_keys(tmp_path)
    assert len(keys) > 4000
    assert [k for k in keys if not trigger.search(k)] == []


def test_to_simplified_matches_opencc():
    rng = random.Random(6)
    pool = "政府信息公开工作年度报告本年新收申请予以公开國家開發深沈答覆行政復議訴訟0123456789 ,。、（）()\n"
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        assert to_simplified(text) == _t2s().convert(text)


def test_beyond_two_bytes_is_max_below_u0800():
    for text in ("abc", "é", "\u07ff", "\u0800", "年", "a\U00010000", "x\ud800"):
        assert (not _BEYOND_2_BYTES.search(text)) == (max(text) < "\u0800")
