"""Code that leans on a library's internals (Dagster's storage classes). Each module names the
versions it was verified on; a version change fails a test."""
