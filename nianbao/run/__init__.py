"""A run's machinery, in the order a run uses it:

settings    every NIANBAO_* setting, read in one place
scan        register every raw file (path, size, SHA-256, or why not)
pool        the supervised worker pool that parses new content (caps, timeouts, crashes)
raw_rows    a parse result as rows of the raw tables; raw_schema: those tables' columns
spool       rows encoded in the workers, bulk-loaded by DuckDB
warehouse   the work database, loads, and the atomic publish
parquet     parse partitions written as Parquet (the unit a cluster fans out)
ingest      the ingest stages as plain functions (the Dagster assets call these)
lifetime    child processes that die with the run
"""
