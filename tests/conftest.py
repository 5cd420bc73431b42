from pathlib import Path

import pytest
from hypothesis import settings

# The property tests draw the same examples on every run, so a landing never depends on the draw;
# `python -m pytest tests/unit/test_round_trip.py --hypothesis-profile=explore` draws new ones
# (how the generator's rarer shapes are found: pin each one found as a unit test).
settings.register_profile("ci", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"  # ../shared beside the project, never copied into it
SAMPLES = REPO / "raw" / "samples"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not beside the project")
    return SHARED
