"""Hypothesis strategies over the generator (imports hypothesis; only tests use it).

    from tests.generator.strategies import cases, specs

    @given(cases(formats=("txt", "html")))
    def test_round_trip(case): ...

The randomness comes from an integer seed (``rngs()``): a recording ``st.randoms()`` works
too but is ~25× slower, since a spec takes hundreds of draws; the seed in a falsifying
example reproduces the case exactly (``random_case(random.Random(seed), ...)``).
"""
from __future__ import annotations

import random

from hypothesis import strategies as st

from .cases import random_case
from .render import FORMATS
from .spec import BREAKABLE_RULES, TEMPLATES, random_spec


def rngs():
    """random.Random instances from a 32-bit seed."""
    return st.integers(0, 2**32 - 1).map(random.Random)


def specs(template: str | None = None, consistent: bool | None = None, blank_rate: float | None = None):
    """ReportSpecs; None lets the strategy choose."""
    return st.builds(
        random_spec,
        rngs(),
        st.sampled_from(TEMPLATES) if template is None else st.just(template),
        consistent=st.booleans() if consistent is None else st.just(consistent),
        blank_rate=st.sampled_from((0.0, 0.0, 0.3, 0.9)) if blank_rate is None else st.just(blank_rate),
    )


def broken_specs(template: str | None = None):
    """Specs that break exactly one rule, each of BREAKABLE_RULES in turn."""
    return st.builds(
        random_spec,
        rngs(),
        st.sampled_from(TEMPLATES) if template is None else st.just(template),
        consistent=st.just(False),
        break_rule=st.sampled_from(BREAKABLE_RULES),
    )


def cases(formats: tuple[str, ...] = FORMATS, **kwargs):
    """Renderable cases (spec × format × layout × perturbations × encoding)."""
    return st.builds(random_case, rngs(), st.just(tuple(formats)), **{
        k: st.just(v) for k, v in kwargs.items()})
