"""Checks over the built warehouse: Great Expectations suites generated from the vocabulary's rules."""
