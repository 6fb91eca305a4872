"""Evaluation mode: run a question set (FORMATS.md section 1) through the service and score it.

``questions`` loads and validates the set, ``runner`` asks every question through
``assistant.service.Service``, ``metrics`` scores the answer records without an LLM judge,
``report`` writes the self-contained HTML report and ``command`` is the ``news-assistant eval`` CLI.
"""
