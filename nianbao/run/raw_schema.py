"""The raw tables a run writes into DuckDB (schema ``raw``): their columns, types and docs.

This is the interface between the Python library and dbt, declared once: dbt's sources and the
staging models' column docs are generated from it (``python -m nianbao.run.raw_docs``), and
tests check the staging models select exactly these columns. Column order here is the order of
the DDL. The vocabulary tables (``vocab_*``) are written from nianbao.vocabulary.dimensions;
their columns are documented here too.
"""
from __future__ import annotations

RAW_SCHEMA = "raw"

# table name -> list of (column, DuckDB type, description)
RAW_TABLES: dict[str, list[tuple[str, str, str]]] = {
    "file_registry": [
        ("source_path", "VARCHAR", "Path relative to the raw directory, '/'-separated"),
        ("size_bytes", "BIGINT", "File size in bytes (null if it could not be read)"),
        ("content_sha256", "VARCHAR", "SHA-256 of the file's bytes (null if not read)"),
        ("reason", "VARCHAR", "Why the file was not read (symlink, over the size cap, unreadable)"),
        ("modified_ns", "BIGINT", "The file's modification time (ns since the epoch) when it was hashed; null if "
                                  "it was modified within 2 s of the end of the scan. With size, ctime and inode "
                                  "unchanged, the next scan keeps the hash without reading the file"),
        ("inode", "BIGINT", "The file's inode number when it was hashed"),
        ("changed_ns", "BIGINT", "The file's status-change time (ctime, ns since the epoch) when it was hashed: "
                                 "an edit changes it even when size and mtime are restored, so the next scan "
                                 "hashes the file again"),
    ],
    "source_files": [
        ("source_path", "VARCHAR", "Path relative to the raw directory, '/'-separated"),
        ("report_id", "VARCHAR", "First 16 hex digits of the SHA-256 of the file's bytes; null if the file could not "
         "be read at all"),
        ("content_sha256", "VARCHAR", "SHA-256 of the file's bytes"),
        ("size_bytes", "BIGINT", "File size in bytes"),
        ("file_status", "VARCHAR", "parsed, duplicate (same bytes as another file) or rejected"),
        ("reason", "VARCHAR", "Why the file is a duplicate or was rejected"),
    ],
    "reports": [
        ("report_id", "VARCHAR", "Report id (see source_files)"),
        ("content_sha256", "VARCHAR", "SHA-256 of the content"),
        ("source_path", "VARCHAR", "The first path (in sort order) holding this content"),
        ("file_format", "VARCHAR", "text, html, pdf or docx"),
        ("encoding", "VARCHAR", "Detected text encoding (text and HTML files)"),
        ("title", "VARCHAR", "Report title as found (normalised to simplified script)"),
        ("agency_name", "VARCHAR", "Issuing body (发布机构) as the report prints it, in simplified script"),
        ("province", "VARCHAR", "Province of the issuing body, from its name"),
        ("city", "VARCHAR", "Prefecture-level city, from the name"),
        ("county", "VARCHAR", "County-level unit, from the name"),
        ("admin_level", "VARCHAR", "central, province, city, county or township"),
        ("report_year", "INTEGER", "Calendar year the statistics cover (from the title)"),
        ("published_on", "DATE", "Publication date from the metadata block"),
        ("index_number", "VARCHAR", "索引号"),
        ("template", "VARCHAR", "2019, 2021, pre2019 or unknown"),
        ("original_script", "VARCHAR", "simplified or traditional"),
        ("parse_status", "VARCHAR", "complete, partial, narrative_only, metadata_only or rejected"),
        ("rejection_reason", "VARCHAR", "Why the report is rejected, or what is missing when not complete"),
        ("document_kind", "VARCHAR", "annual_report, or another kind of document recognised by its title"),
        ("parser_version", "VARCHAR", "Version of the parser that produced these rows"),
        ("agency_name_printed", "VARCHAR", "Issuing body verbatim, before script and width folding (agency_name is its "
         "simplified form)"),
        ("division_code", "VARCHAR", "6-digit administrative-division code read from the 索引号 (unified social credit "
         "code), when it has one"),
        ("is_aggregate", "BOOLEAN", "The report sums many agencies' figures (综合各县、区…编制)"),
        ("outline_family", "VARCHAR", "Pre-2019 outline family — A (条例 six parts), B (Shanghai model), C (2015–2018 "
         "政务公开 layout); null when not recognised or 2019+"),
        ("agency_qualified_name", "VARCHAR", "The issuing body's name qualified for identity across years (body variants "
         "unified, its city in front: 福州市平潭县人民政府 for 平潭县人民政府); agency_id is derived from it"),
    ],
    "report_cells": [
        ("report_id", "VARCHAR", "Report id"),
        ("table_id", "VARCHAR", "t2 (主动公开), t3 (依申请), t4 (复议诉讼)"),
        ("row_id", "VARCHAR", "Canonical row id: t3 flow/outcome/total_processed, t4 proceeding, t2 item"),
        ("col_id", "VARCHAR", "Canonical column id: t3 applicant type/total, t4 result/total, t2 measure"),
        ("value", "DOUBLE", "The value as printed (blank leaf cells are 0; blank printed totals are null)"),
        ("is_blank", "BOOLEAN", "The cell was printed empty"),
        ("printed_text", "VARCHAR", "The cell text as printed when it was not a plain number"),
        ("unit", "VARCHAR", "Unit printed in or implied for the cell (元, 万元, 件…)"),
        ("source", "VARCHAR", "table or narrative"),
    ],
    "legacy_measures": [
        ("report_id", "VARCHAR", "Report id (pre-2019 reports only)"),
        ("measure", "VARCHAR", "Legacy measure id of the vocabulary (format-spec §5.8), e.g. legacy_requests_total"),
        ("channel", "VARCHAR", "Channel of a by-channel measure (website, in_person…), or scope_N of a numbered "
         "免予公开范围; null otherwise"),
        ("value", "DOUBLE", "The value in the measure's unit (amounts in 元; a printed 万元 is multiplied by 10 000)"),
        ("unit", "VARCHAR", "The unit as printed (件, 条, 宗, 起, 元, 万元…); null for a zero statement (未收到…)"),
        ("printed_text", "VARCHAR", "The sentence fragment or table row the value was read from"),
        ("source", "VARCHAR", "narrative (prose) or table (an old statistical table)"),
    ],
    "parse_notes": [
        ("report_id", "VARCHAR", "Report id (null for notes about a file that has no content id)"),
        ("seq", "INTEGER", "Order of the note within its report"),
        ("severity", "VARCHAR", "info, warning or error"),
        ("code", "VARCHAR", "Stable machine-readable note code"),
        ("message", "VARCHAR", "Human-readable explanation"),
    ],
    "rule_results": [
        ("report_id", "VARCHAR", "Report id"),
        ("rule", "VARCHAR", "Rule id of the vocabulary (format-spec §5.9)"),
        ("scope_id", "VARCHAR", "Column (t3 per-column rules), row (t3_row_total) or proceeding (t4) the rule was "
         "evaluated on"),
        ("left_value", "DOUBLE", "Left-hand side as printed (usually a printed total)"),
        ("right_value", "DOUBLE", "Right-hand side (usually a sum of leaf cells)"),
        ("difference", "DOUBLE", "left_value - right_value"),
        ("passed", "BOOLEAN", "true/false; null when not evaluated (a printed total was blank)"),
        ("note", "VARCHAR", "Why the rule was not evaluated, if it was not"),
    ],
}


# every raw table, the vocabulary's included -> what one row is
TABLE_DESCRIPTIONS: dict[str, str] = {
    "file_registry": "One row per file found under the raw directory, as scanned before parsing: path, size, SHA-256, "
    "or why it was not read. Working table of the ingest step (dim_source_file is built from source_files).",
    "source_files": "One row per file found under the raw directory (every file, readable or not) with its final "
    "status, written by the parse step from file_registry and the parse results.",
    "reports": "One row per distinct report content (report_id), including rejected reports, written by the parse "
    "step.",
    "report_cells": "One row per parsed cell (report × table × row × column × source): leaf cells and printed totals, "
    "from tables or prose.",
    "legacy_measures": "One row per legacy measure of a pre-2019 report (report × measure × channel): figures read "
    "from prose or from an old statistical table by nianbao.parse.stated_figures (format-spec §5.8).",
    "parse_notes": "One row per parse note (report × seq): what the parser could not read, skipped or interpreted.",
    "rule_results": "One row per per-report reconciliation rule evaluation (report × rule × scope), evaluated in "
    "Python.",
    "vocab_applicant_types": "One row per applicant column of table 三 (申请人类型), from the vocabulary.",
    "vocab_flows": "One row per request flow row of table 三 (一、二、四), from the vocabulary.",
    "vocab_outcomes": "One row per leaf outcome row of table 三 (三、本年度办理结果), from the vocabulary.",
    "vocab_proceeding_results": "One row per proceeding × result of table 四, from the vocabulary.",
    "vocab_disclosure_items": "One row per item (row) of table 二, from the vocabulary.",
    "vocab_disclosure_measures": "One row per measure (column) of table 二, from the vocabulary.",
    "vocab_rules": "One row per reconciliation rule (format-spec §5.9), from the vocabulary.",
    "vocab_legacy_measures": "One row per legacy (pre-2019) measure of format-spec §5.8, from the vocabulary, with its "
    "crosswalk into the facts.",
}

# the vocabulary tables (nianbao.vocabulary.dimensions.dimension_tables) -> (column, description)
VOCAB_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "vocab_applicant_types": [
        ("applicant_type", "Applicant type id"),
        ("label_zh", "Chinese label"),
        ("applicant_group", "Applicant group id (natural_person, legal_person_or_org, unspecified)"),
        ("applicant_group_label_zh", "Chinese label of the applicant group"),
        ("sort_order", "Printed column order"),
    ],
    "vocab_flows": [
        ("flow", "Flow id"),
        ("label_zh", "Chinese label"),
        ("sort_order", "Printed row order"),
    ],
    "vocab_outcomes": [
        ("outcome", "Leaf outcome id"),
        ("outcome_category", "Outcome category id"),
        ("outcome_category_label_zh", "Chinese label of the category"),
        ("category_sort_order", "Printed order of the category"),
        ("label_zh", "Chinese label of the leaf"),
        ("sort_order", "Printed row order"),
        ("templates", "Comma-separated templates that print this leaf"),
        ("is_unspecified", "True for the *_unspecified leaves (only a category total was given)"),
    ],
    "vocab_proceeding_results": [
        ("proceeding", "Proceeding id"),
        ("proceeding_label_zh", "Chinese label of the proceeding"),
        ("result", "Result id"),
        ("result_label_zh", "Chinese label of the result"),
        ("sort_order", "Printed cell order"),
    ],
    "vocab_disclosure_items": [
        ("item", "Item id"),
        ("label_zh", "Chinese label"),
        ("article", "Article of the Regulations the item reports on"),
        ("sort_order", "Printed row order"),
    ],
    "vocab_disclosure_measures": [
        ("measure", "Measure id"),
        ("label_zh", "Chinese label"),
        ("templates", "Comma-separated templates that print this measure"),
        ("unit", "Unit of the measure"),
    ],
    "vocab_rules": [
        ("rule", "Rule id"),
        ("severity", "error or warn"),
        ("scope", "report (per-report rule) or cross_report"),
        ("statement_zh", "The rule stated in Chinese"),
        ("basis", "Where the rule comes from"),
        ("source", "What the rule checks: table cells (table) or figures stated in the prose (narrative)"),
    ],
    "vocab_legacy_measures": [
        ("measure", "Legacy measure id"),
        ("label_zh", "Chinese label"),
        ("measure_group", "Group (proactive, requests, request_channels, replies, outcomes, denial_reasons, fees, "
         "reviews, lawsuits…)"),
        ("unit", "Unit of the value (件, 条, 人次, 人, 次, 篇; amounts in 元)"),
        ("channels", "Comma-separated channels of a by-channel measure (scope_N for numbered 免予公开范围)"),
        ("channel_labels_zh", "Chinese labels of the channels"),
        ("read_in_2019_prose", "Also read from the prose of 2019+ reports (restatements of tables 三/四)"),
        ("context_measure", "The parent measure a result measure is only read under (维持/纠错 under 行政复议 or 行政诉讼)"),
        ("suggested_leaf", "format-spec §5.8's suggested 2019+ leaf outcome (lossy)"),
        ("suggested_leaf_match", "exact, approx or unverified"),
        ("fact_table", "The contract fact the measure is crosswalked into, if any"),
        ("fact_row", "Row id of the crosswalk target (flow, outcome, printed total or proceeding)"),
        ("fact_col", "Column id of the crosswalk target (unspecified, or a table-四 result)"),
        ("fact_templates", "Templates the crosswalk applies to (all, or a list)"),
        ("fact_match", "exact, approx or category (mapped to a category-level *_unspecified leaf)"),
        ("fact_is_printed_total", "The target is a printed total (kept for the narrative rule, never a fact)"),
        ("sort_order", "Vocabulary order"),
    ],
}

def create_table_sql(table: str) -> str:
    cols = ", ".join(f'"{name}" {typ}' for name, typ, _ in RAW_TABLES[table])
    return f"CREATE OR REPLACE TABLE {RAW_SCHEMA}.{table} ({cols})"


def column_names(table: str) -> list[str]:
    return [name for name, _, _ in RAW_TABLES[table]]
