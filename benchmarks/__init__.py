"""Benchmarks of ingest, answers and the web server: ``python -m benchmarks [--quick]`` (issue 7).

Figures are printed as tables, written as JSON and plotted; they are measurements, not tests.
"""
