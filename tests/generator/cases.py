"""A whole test case (spec × format × layout × perturbations × encoding) drawn in one go, always
a combination that renders — convenient with hypothesis::

    from hypothesis import given, strategies as st
    from tests.generator import random_case

    @given(st.builds(random_case, st.integers(0, 2**32 - 1).map(random.Random), formats=st.just(("txt", "html"))))
    def test_round_trip(case):
        name, data = case.render()
        result = parse_bytes(data, name)
        ...case.expected_cells()...
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from .expected import (
    expected_cells,
    expected_flags,
    expected_metadata,
    expected_status,
    expected_total_only,
    expected_unreadable,
)
from .render import (
    BLANK_FREE_LAYOUTS,
    FORMATS,
    LAYOUTS,
    PERTURBATIONS,
    TEMPLATE_DOCX,
    render,
    why_unsupported,
)
from .spec import ReportSpec, random_spec


@dataclass
class Case:
    spec: ReportSpec
    fmt: str
    layout: str
    perturbations: frozenset[str] = field(default_factory=frozenset)
    encoding: str | None = None
    render_seed: int = 0

    def render(self) -> tuple[str, bytes]:
        return render(self.spec, layout=self.layout, fmt=self.fmt, perturbations=self.perturbations,
                      rng=random.Random(self.render_seed), encoding=self.encoding)

    def expected_cells(self):
        return expected_cells(self.spec, self.layout, self.perturbations)

    def expected_unreadable(self):
        return expected_unreadable(self.spec, self.layout, self.perturbations)

    def expected_total_only(self):
        return expected_total_only(self.spec, self.layout, self.perturbations)

    def expected_flags(self):
        return expected_flags(self.spec, self.layout, self.perturbations)

    def expected_metadata(self):
        return expected_metadata(self.spec, self.perturbations)

    def expected_status(self):
        return expected_status(self.spec, self.layout, self.perturbations)


def random_case(rng: random.Random, formats: tuple[str, ...] = FORMATS, *, template: str | None = None,
                consistent: bool | None = None, max_perturbations: int = 4,
                perturbations: tuple[str, ...] | None = None, require: tuple[str, ...] = ()) -> Case:
    """A random renderable case. ``perturbations`` restricts the pool drawn from; ``require``
    names perturbations every case has where its format and layout can show them (the
    benchmark's real-sized PDFs: ``require=("long_document", "page_numbers")``)."""
    fmt = rng.choice(tuple(formats))
    layouts = [lay for lay in LAYOUTS[fmt] if lay != "template" or TEMPLATE_DOCX.is_file()]
    layout = rng.choice(layouts)
    if layout == "template":
        template = "2021"
    blank_rate = 0.0 if layout in BLANK_FREE_LAYOUTS or rng.random() < 0.6 else rng.choice((0.2, 0.5, 0.9))
    spec = random_spec(rng, template, consistent=rng.random() < 0.7 if consistent is None else consistent,
                       blank_rate=blank_rate)
    pool = sorted(PERTURBATIONS if perturbations is None else set(perturbations))
    rng.shuffle(pool)
    chosen: set[str] = set()
    encoding = None
    if fmt in ("txt", "html"):
        encoding = rng.choices(("utf-8", "utf-8-sig", "gb18030", "big5", "utf-16"), weights=(50, 10, 20, 10, 10))[0]
    chosen.update(name for name in require if why_unsupported(spec, layout, fmt, chosen | {name}, None) is None)
    pool = [name for name in pool if name not in chosen]
    k = rng.randint(0, max_perturbations) + len(chosen)
    for name in pool:
        if len(chosen) >= k:
            break
        if why_unsupported(spec, layout, fmt, chosen | {name}, None) is None:
            chosen.add(name)
    if encoding == "big5" and why_unsupported(spec, layout, fmt, chosen, "big5"):
        if "pinyin_debris" not in chosen and "traditional_charlevel" not in chosen:
            chosen.add("traditional_proper")
        if why_unsupported(spec, layout, fmt, chosen, "big5"):
            encoding = "gb18030"
    assert why_unsupported(spec, layout, fmt, chosen, encoding) is None
    return Case(spec, fmt, layout, frozenset(chosen), encoding, rng.randrange(2**32))
