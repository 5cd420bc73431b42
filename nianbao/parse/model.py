"""What parsing one file produces: metadata, canonical cells, rule results and notes."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

PARSER_VERSION = "0.3.0"


@dataclass
class Cell:
    table_id: str  # t2, t3, t4
    row_id: str
    col_id: str
    value: float | None  # None: a printed total left blank ("not printed")
    is_blank: bool = False
    printed_text: str | None = None  # the printed text when it was not a plain number
    unit: str | None = None
    source: str = "table"  # table | narrative

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.table_id, self.row_id, self.col_id)


@dataclass
class Note:
    severity: str  # info | warning | error
    code: str
    message: str


@dataclass
class RuleResult:
    rule: str
    scope_id: str
    left_value: float | None
    right_value: float | None
    passed: bool | None
    note: str | None = None

    @property
    def difference(self) -> float | None:
        if self.left_value is None or self.right_value is None:
            return None
        return self.left_value - self.right_value


# Parse note codes the run relies on. A rejection by a cap notes the setting and its value
# (``cap_exceeded:NIANBAO_MAX_PAGES=300``): the verdict holds only while the cap does, so a run
# with another value parses the file again. A rejection caused by an unexpected error inside
# a reader or the parser notes UNEXPECTED_ERROR (under a memory cap, the run tells whether
# memory was what failed it).
CAP_NOTE = "cap_exceeded"
UNEXPECTED_ERROR = "unexpected_error"


def cap_code(setting: str, value: float) -> str:
    return f"{CAP_NOTE}:{setting}={value:g}"


@dataclass
class Metadata:
    title: str | None = None
    agency_name: str | None = None  # as the report prints it, simplified script
    report_year: int | None = None
    published_on: str | None = None  # ISO date
    index_number: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    admin_level: str | None = None
    document_kind: str = "annual_report"
    agency_name_printed: str | None = None  # the name as the report prints it (before normalisation)
    agency_qualified_name: str | None = None  # the body's identity across years (agency_id): see parse.agency
    division_code: str | None = None  # 6-digit administrative-division code from the 索引号
    is_aggregate: bool = False  # the report sums the figures of many agencies (综合各县、区…)
    outline_family: str | None = None  # pre-2019 outline: A, B or C (format-spec §3)


# What each parse status means (set by nianbao/parse/pipeline.py _set_status), in the words the run
# summary, the run report and the docs use.
PARSE_STATUSES = {
    "complete": "tables 二, 三 and 四 found and every expected row of table 三 read",
    "partial": "statistical tables found, but one is missing or some rows were not read "
               "(dim_report.rejection_reason says which)",
    "narrative_only": "no statistical table: figures read from the prose (before 2019: the old-format figures)",
    "metadata_only": "agency, year or title read, but no table and no figure",
    "rejected": "not read (see dim_source_file.reason) or not recognised as an annual report",
}


@dataclass
class ParseResult:
    report_id: str
    content_sha256: str
    file_format: str | None = None
    encoding: str | None = None
    metadata: Metadata = field(default_factory=Metadata)
    template: str = "unknown"
    original_script: str = "simplified"
    parse_status: str = "rejected"
    rejection_reason: str | None = None
    cells: list[Cell] = field(default_factory=list)
    rules: list[RuleResult] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    legacy_measures: list = field(default_factory=list)  # nianbao.parse.stated_figures.LegacyValue, pre-2019 reports
    parser_version: str = PARSER_VERSION

    def note(self, severity: str, code: str, message: str) -> None:
        self.notes.append(Note(severity, code, message))

    def to_dict(self) -> dict:
        d = asdict(self)
        for r, rr in zip(d["rules"], self.rules):
            r["difference"] = rr.difference
        return d

    @property
    def is_reconciled(self) -> bool | None:
        """True when every evaluated error-severity rule passed; None when none was evaluated."""
        from nianbao.vocabulary.loader import load

        severities = {r.id: r.severity for r in load().rules}
        evaluated = [r.passed for r in self.rules if r.passed is not None and severities.get(r.rule) == "error"]
        return all(evaluated) if evaluated else None
