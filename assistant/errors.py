"""The project's own errors: every expected failure is one of these, with a message that says what to do.

The CLI and the web page catch ``AssistantError`` at their edges and show its message on one line,
so a user never sees a traceback for something the product anticipated (a missing folder, an empty
store, an unreachable server, a bad setting).
"""

from __future__ import annotations


class AssistantError(RuntimeError):
    """Base of every error the product expects; ``exit_code`` is what the CLI exits with."""

    exit_code = 1


class UsageError(AssistantError):
    """The user asked for something that cannot be done as given (bad setting, unknown option value)."""

    exit_code = 2
