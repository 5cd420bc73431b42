"""The thin Dagster layer over nianbao/, and the ``nianbao`` command.

cli.py          the command line (run, parse, ui)
dbt_guard.py    ``nianbao-dbt``: the dbt process dagster-dbt starts, bound to the run
definitions.py  the Definitions: assets, jobs, sensor, resources
resources.py    settings and dbt as Dagster resources
sensors.py      start a run when raw files change
assets/         ingest, partitions, dbt, checks, publish
runtime/        the only code that leans on a library's internals; each file names the versions it was verified on
"""
