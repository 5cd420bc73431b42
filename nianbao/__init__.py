"""nianbao: the domain library (plain Python, no Dagster). One folder per stage, importing downward only:

vocabulary/  THE vocabulary (yaml + loader), dimension rows, generated docs
readers/     bytes → Document (decode, text, HTML, PDF, Word)
parse/       Document → ParseResult (lines, metadata, sections, tables, stated figures, rules)
run/         a run's machinery: settings, scan, worker pool, raw rows, spool, warehouse, publish
checks/      Great Expectations suites over the warehouse
"""
