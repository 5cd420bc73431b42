"""The assets of the pipeline: ingest → (partitions) → dbt → checks → publish."""
