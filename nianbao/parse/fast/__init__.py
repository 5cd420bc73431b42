"""Parser code that leans on a library's private internals, fenced (docs/architecture.md): each
module names what it was verified on, and tests/unit/test_runtime_fence.py fails on anything else."""
