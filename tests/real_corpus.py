"""The real-report corpus (``../shared/real-reports/corpus``) scored at the warehouse level.

Runs the pipeline as a user would (``nianbao run``) on the corpus's report files, then compares
the published warehouse with the hand-made labels (``labels.jsonl``) file by file:

* agency — ``dim_agency.agency_name`` of the report's agency must be the label's ``agency``, one
  of its ``agency_aliases`` or its ``agency_as_printed`` (an OCR misreading the report prints);
* year — ``dim_report.report_year``;
* every labelled total of table 三 (``applications``: the 总计 column as printed, a category
  label summed over the category's rows) and every labelled cell of table 四 (``review``,
  ``litigation_direct``, ``litigation_after_review``: each result and the group's 总计).

What the warehouse says for a label:

* a table-三 row: its printed 总计 (``fct_table_totals``) when the warehouse holds it, else the sum of the row's
  leaf facts (``fct_applications`` / ``fct_application_outcomes``, any applicant column,
  ``unspecified`` included); a category (``denied_total`` …): the sum of that over every row of
  the category present; ``outcome_total``: the （七）总计 row the same way (a prose 办结 count is
  its ``unspecified`` cell);
* a table-四 result: its leaf fact (``fct_litigation``); a group 总计: the printed 总计, else
  the sum of the group's result facts.

A value is **right** when it equals the label, **missing** when the warehouse holds none,
**wrong** when it holds another number. A ``null`` label wants "not read": no value is right
(counted under ``nulls``), any value is wrong: there the printed 总计 alone is compared (the labels
hold "the 总计 column as printed"; a blank 总计 beside printed cells is no value to read, and the
cells' facts are no claim that it was printed). Labels a file does not carry are not scored.

Used by ``bench/real_corpus_warehouse.py`` (prints the figures) and ``tests/integration/test_real_corpus.py``
(the CI test).
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import SHARED

CORPUS = SHARED / "real-reports" / "corpus"
LABELS = CORPUS / "labels.jsonl"

T3_ROWS = {  # label key -> flow row, or category of outcome rows, or the （七）总计 row
    "new_total": ("row", "new_received"),
    "carried_over_total": ("row", "carried_over_from_previous_year"),
    "granted_total": ("category", "granted"),
    "partially_granted_total": ("category", "partially_granted"),
    "denied_total": ("category", "denied"),
    "unable_total": ("category", "unable_to_provide"),
    "not_processed_total": ("category", "not_processed"),
    "other_total": ("category", "other"),
    "outcome_total": ("row", "total_processed"),
    "carried_forward_total": ("row", "carried_forward_to_next_year"),
}
T4_GROUPS = {"review": "administrative_review", "litigation_direct": "lawsuit_without_review",
             "litigation_after_review": "lawsuit_after_review"}
T4_RESULTS = ("upheld", "corrected", "other", "pending", "total")


def load_labels() -> list[dict]:
    if not LABELS.is_file():
        raise FileNotFoundError(f"{LABELS} not found: the shared folder must sit beside the project (../shared)")
    return [json.loads(line) for line in LABELS.read_text("utf-8").splitlines() if line.strip()]


def copy_corpus(raw_dir: Path) -> None:
    """The corpus's report files (not labels.jsonl) into ``raw_dir``, writable."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    for label in load_labels():
        dst = raw_dir / label["file"]
        shutil.copyfile(CORPUS / label["file"], dst)
        os.chmod(dst, 0o644)


def run_pipeline(raw_dir: Path, db: Path, dagster_home: Path) -> int:
    """``nianbao run`` in this process; returns its exit code."""
    from orchestration.cli import main

    dagster_home.mkdir(parents=True, exist_ok=True)
    old = {k: os.environ.get(k) for k in ("DAGSTER_HOME", "TQDM_DISABLE")}
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    os.environ["TQDM_DISABLE"] = "1"  # Great Expectations' progress bars
    try:
        return main(["run", "--raw-dir", str(raw_dir), "--db", str(db)])
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# ---------------------------------------------------------------- reading the warehouse

@dataclass
class Held:
    """What the warehouse holds for one report."""

    agency: str | None = None
    report_year: int | None = None
    agency_id: str | None = None
    leaves: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (table, row, col) -> value
    totals: dict[tuple[str, str, str], float | None] = field(default_factory=dict)  # printed totals


def read_warehouse(db: Path) -> dict[str, Held]:
    """source file name -> what the warehouse holds for it."""
    import duckdb

    out: dict[str, Held] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        by_id: dict[str, Held] = {}
        for rid, path, agency, year, agency_id in con.execute("""
                select r.report_id, f.source_path, a.agency_name, r.report_year, r.agency_id
                from marts.dim_source_file f
                join marts.dim_report r using (report_id)
                left join marts.dim_agency a using (agency_id)""").fetchall():
            held = by_id.setdefault(rid, Held(agency, year, agency_id))
            out[Path(path).name] = held
        for table, sql in (
            ("t3", "select report_id, flow, applicant_type, count from marts.fct_applications"),
            ("t3", "select report_id, outcome, applicant_type, count from marts.fct_application_outcomes"),
            ("t4", "select report_id, proceeding, result, count from marts.fct_litigation"),
        ):
            for rid, row, col, value in con.execute(sql).fetchall():
                if rid in by_id and value is not None:
                    by_id[rid].leaves[(table, row, col)] = float(value)
        for rid, table, row, col, value in con.execute(
                "select report_id, table_id, row_id, col_id, count from marts.fct_table_totals").fetchall():
            if rid not in by_id:
                continue
            if row == "total_processed" and col != "total":
                by_id[rid].leaves[(table, row, col)] = float(value) if value is not None else None
            else:
                by_id[rid].totals[(table, row, col)] = None if value is None else float(value)
        for held in by_id.values():
            held.leaves = {k: v for k, v in held.leaves.items() if v is not None}
    return out


def _outcome_categories() -> dict[str, list[str]]:
    from nianbao.vocabulary.loader import load

    cats: dict[str, list[str]] = {}
    for o in load().outcomes:
        cats.setdefault(o.group, []).append(o.id)
    return cats


def _row_value(held: Held, table: str, row: str, printed_only: bool = False) -> float | None:
    printed = held.totals.get((table, row, "total"))
    if printed is not None or printed_only:
        return printed
    leaves = [v for (t, r, _), v in held.leaves.items() if t == table and r == row]
    return sum(leaves) if leaves else None


def held_values(held: Held, printed_only: bool = False) -> dict[str, float | None]:
    """label path ('applications.new_total', 'review.upheld' …) -> the warehouse's value; with
    ``printed_only`` a total is the printed 总计 alone, never the sum of its row's cells."""
    out: dict[str, float | None] = {}
    cats = _outcome_categories()
    for key, (kind, what) in T3_ROWS.items():
        if kind == "row":
            out[f"applications.{key}"] = _row_value(held, "t3", what, printed_only)
        else:
            values = [v for v in (_row_value(held, "t3", r, printed_only) for r in cats[what]) if v is not None]
            out[f"applications.{key}"] = sum(values) if values else None
    for group, proceeding in T4_GROUPS.items():
        for result in T4_RESULTS:
            if result == "total":
                out[f"{group}.total"] = _row_value(held, "t4", proceeding, printed_only)
            else:
                out[f"{group}.{result}"] = held.leaves.get(("t4", proceeding, result))
    return out


# ---------------------------------------------------------------- scoring

@dataclass
class Score:
    """One labelled value: its kind and verdict."""

    path: str  # 'agency', 'report_year', 'applications.new_total', 'review.total' …
    kind: str  # agency | year | t3 | t4_total | t4_result
    label: object
    got: object
    verdict: str  # right | missing | wrong | null_unread


@dataclass
class FileScore:
    file: str
    scores: list[Score] = field(default_factory=list)

    def count(self, verdict: str, kinds: tuple[str, ...] | None = None) -> int:
        return sum(1 for s in self.scores if s.verdict == verdict and (kinds is None or s.kind in kinds))

    @property
    def has_table_labels(self) -> bool:
        return any(s.kind.startswith(("t3", "t4")) for s in self.scores)

    @property
    def tables_right(self) -> bool:
        return self.has_table_labels and all(s.verdict in ("right", "null_unread")
                                             for s in self.scores if s.kind.startswith(("t3", "t4")))


def _same(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def _verdict(label, got) -> str:
    if label is None:
        return "null_unread" if got is None else "wrong"
    if got is None:
        return "missing"
    return "right" if _same(got, label) else "wrong"


def score_file(label: dict, held: Held | None) -> FileScore:
    fs = FileScore(label["file"])
    held = held or Held()
    names = {label["agency"], *label.get("agency_aliases", ()), *([label["agency_as_printed"]]
                                                                  if label.get("agency_as_printed") else [])}
    agency_verdict = "missing" if held.agency is None else ("right" if held.agency in names else "wrong")
    fs.scores.append(Score("agency", "agency", label["agency"], held.agency, agency_verdict))
    fs.scores.append(Score("report_year", "year", label["report_year"], held.report_year,
                           _verdict(label["report_year"], held.report_year)))
    values, printed = held_values(held), held_values(held, printed_only=True)
    for group in ("applications", *T4_GROUPS):
        for key, want in (label.get(group) or {}).items():
            path = f"{group}.{key}"
            kind = "t3" if group == "applications" else ("t4_total" if key == "total" else "t4_result")
            # a null label is a 总计 cell printed blank: what must stay unread is that cell (the
            # row's cells the report did print are facts, and their sum is no claim it was printed)
            got = printed[path] if want is None else values[path]
            fs.scores.append(Score(path, kind, want, got, _verdict(want, got)))
    return fs


def same_body(a: dict, b: dict) -> bool:
    """Two labelled files are reports of one body when each one's agency is a name of the other
    (its agency or an alias): 莆田市 (aliases 莆田市人民政府) and 莆田市人民政府 (alias 莆田市) are;
    莆田市 (alias 莆田市人民政府办公室, which compiled it) and 莆田市人民政府办公室 are not."""
    def names(x):
        return {x["agency"], *x.get("agency_aliases", ())}
    return a["agency"] in names(b) and b["agency"] in names(a)


def score_corpus(held: dict[str, Held]) -> list[FileScore]:
    return [score_file(label, held.get(label["file"])) for label in load_labels()]


# ---------------------------------------------------------------- printing

KINDS = (("agency", ("agency",)), ("year", ("year",)), ("t3 totals", ("t3",)),
         ("t4 totals", ("t4_total",)), ("t4 results", ("t4_result",)))


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def report(scores: list[FileScore]) -> str:
    """Per file right / missing / wrong by kind, what is missing or wrong, then the totals."""
    lines = []
    head = f"{'file':22s} {'agency':7s} {'year':5s} {'t3 r/m/w':>10s} {'t4 r/m/w':>10s} {'nulls':>6s}  tables"
    lines += [head, "-" * len(head)]
    def rmw(fs: FileScore, kinds: tuple[str, ...]) -> str:
        n = [fs.count(v, kinds) for v in ("right", "missing", "wrong")]
        return "—" if not any(n) else "/".join(map(str, n))

    for fs in scores:
        nulls = sum(1 for s in fs.scores if s.label is None and s.kind != "agency")
        null_cell = f"{fs.count('null_unread')}/{nulls}" if nulls else "—"
        tables = ("right" if fs.tables_right else "not right") if fs.has_table_labels else "—"
        lines.append(f"{fs.file:22s} {fs.scores[0].verdict:7s} {fs.scores[1].verdict:5s} "
                     f"{rmw(fs, ('t3',)):>10s} {rmw(fs, ('t4_total', 't4_result')):>10s} {null_cell:>6s}  {tables}")
        for s in fs.scores:
            if s.verdict == "wrong":
                lines.append(f"    wrong   {s.path}: got {_fmt(s.got)}, label {_fmt(s.label)}")
        missing: dict[str, list[str]] = {}
        for s in fs.scores:
            if s.verdict == "missing":
                group, _, key = s.path.rpartition(".")
                missing.setdefault(group or s.path, []).append(key)
        for group, keys in missing.items():
            n_group = sum(1 for s in fs.scores if s.path.rpartition(".")[0] == group)
            what = "all" if len(keys) == n_group and len(keys) > 1 else " ".join(keys)
            lines.append(f"    missing {group}: {what}" if group not in keys else f"    missing {group}")
    lines.append("")
    for title, kinds in KINDS:
        n = {v: sum(fs.count(v, kinds) for fs in scores) for v in ("right", "missing", "wrong", "null_unread")}
        total = sum(1 for fs in scores for s in fs.scores if s.kind in kinds and s.label is not None)
        lines.append(f"{title:11s} right {n['right']:4d} / {total:<4d} missing {n['missing']:4d}  wrong {n['wrong']:4d}")
    both = sum(1 for fs in scores if fs.scores[0].verdict == "right" and fs.scores[1].verdict == "right")
    nulls = [s for fs in scores for s in fs.scores if s.label is None and s.kind != "agency"]
    lines.append(f"agency and year both right: {both} / {len(scores)}")
    lines.append(f"null labels left unread:    {sum(1 for s in nulls if s.verdict == 'null_unread')} / {len(nulls)}")
    labelled = [fs for fs in scores if fs.has_table_labels]
    lines.append(f"tables fully right:         {sum(fs.tables_right for fs in labelled)} / {len(labelled)}")
    lines.append(f"WRONG values (all kinds):   {sum(fs.count('wrong') for fs in scores)}")
    return "\n".join(lines)
