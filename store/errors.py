"""The product's base error, at the bottom layer so that the store can raise it without importing ``assistant``.

Every expected failure is an ``AssistantError`` with a message that says what to do; the CLI and the web
page catch it at their edges and show the message on one line. ``assistant.errors`` re-exports it and adds
the errors of the layers above.
"""

from __future__ import annotations


class AssistantError(RuntimeError):
    """Base of every error the product expects; ``exit_code`` is what the CLI exits with."""

    exit_code = 1
