"""Generated test inputs for the nianbao parser: random report specs, rendered as real files.

    from tests.generator import random_spec, render, expected_cells
    spec = random_spec(random.Random(7), "2021", consistent=False)
    name, data = render(spec, layout="pipe", fmt="txt", perturbations={"traditional_proper"}, encoding="big5")
    want = expected_cells(spec, "pipe", {"traditional_proper"})

See README.md in this folder for the layouts × formats × perturbations and the conventions.
"""
from .cases import Case, random_case
from .expected import (
    evaluate_rules,
    expected_cells,
    expected_flags,
    expected_metadata,
    expected_rule_results,
    expected_status,
    expected_total_only,
    expected_unreadable,
)
from .render import (
    BLANK_FREE_LAYOUTS,
    ENCODINGS,
    FORMATS,
    LAYOUTS,
    PERTURBATIONS,
    TEXT_LAYOUTS,
    UnsupportedCombination,
    render,
    render_text,
    to_traditional,
    why_unsupported,
)
from .spec import (
    BREAKABLE_RULES,
    PROSE_MEASURES,
    TEMPLATES,
    ReportSpec,
    count_splits,
    random_spec,
)

__all__ = [
    "BLANK_FREE_LAYOUTS", "BREAKABLE_RULES", "ENCODINGS", "FORMATS", "LAYOUTS", "PERTURBATIONS",
    "PROSE_MEASURES", "TEMPLATES", "TEXT_LAYOUTS", "Case", "ReportSpec", "UnsupportedCombination",
    "count_splits", "evaluate_rules", "expected_cells", "expected_flags", "expected_metadata",
    "expected_rule_results", "expected_status", "expected_total_only", "expected_unreadable", "random_case", "random_spec",
    "render", "render_text", "to_traditional", "why_unsupported",
]
