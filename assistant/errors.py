"""The project's own errors: every expected failure is one of these, with a message that says what to do.

The CLI and the web page catch ``AssistantError`` at their edges and show its message on one line,
so a user never sees a traceback for something the product anticipated (a missing folder, an empty
store, an unreachable server, a bad setting). The base class lives in ``store.errors`` (the bottom
layer, so the store raises it without importing ``assistant``); it is re-exported here.
"""

from __future__ import annotations

from store.errors import AssistantError

__all__ = ["AssistantError", "UsageError"]


class UsageError(AssistantError):
    """The user asked for something that cannot be done as given (bad setting, unknown option value)."""

    exit_code = 2
