"""Follow-ups rewritten by a generative reader's model: what is kept of a model's rewrite, and that a
self-contained question never reaches the model. The real packaged model is exercised end to end in
tests/test_local_model.py; here a LlamaIndex ``CustomLLM`` stands in for an instruction-following one."""

from __future__ import annotations

from typing import Any

import pytest
from llama_index.core.llms import CompletionResponse, CustomLLM, LLMMetadata
from pydantic import Field

from assistant.readers.condense_llm import acceptable, condense_with_llm

HISTORY = [
    {"role": "user", "content": "Who did Arsenal sign from West Ham?"},
    {"role": "assistant", "content": "Declan Rice, for a club-record fee [1]."},
]


class Scripted(CustomLLM):
    """An LLM that answers every prompt with one fixed text and keeps the prompts it was sent."""

    reply: str = ""
    prompts: list[str] = Field(default_factory=list)

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata()

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        self.prompts.append(prompt)
        return CompletionResponse(text=self.reply)

    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
        yield self.complete(prompt)


@pytest.mark.parametrize(
    ("rewrite", "kept"),
    [
        ("How much did Arsenal pay West Ham for Declan Rice?", True),
        ("Standalone question: How much did Arsenal pay for Declan Rice?\nExplanation: …", True),
        ("How much did they pay?", False),  # echoed, nothing from the conversation
        ("Arsenal paid £105 million.", False),  # an answer, not a question
        ("Who is the Chelsea manager?", False),  # the follow-up's own words are gone
        ("How much did they pay? (context: Who did Arsenal sign from West Ham?)", False),
        (" ".join(["How much did Arsenal pay"] * 6) + "?", False),  # rambling
    ],
)
def test_a_rewrite_is_kept_only_when_it_is_the_follow_up_made_standalone(rewrite: str, kept: bool) -> None:
    got = acceptable(rewrite, "How much did they pay?", "How much did Arsenal pay?")
    assert (got is not None) is kept
    if kept:
        assert got.endswith("?") and "\n" not in got and not got.lower().startswith("standalone")


def test_the_models_rewrite_is_used_with_the_condense_prompt() -> None:
    llm = Scripted(reply="How much did Arsenal pay West Ham for Declan Rice?", prompts=[])
    got = condense_with_llm(llm, "How much did they pay?", HISTORY, "How much did Arsenal pay?")
    assert got == ("How much did Arsenal pay West Ham for Declan Rice?", "llm")
    (prompt,) = llm.prompts
    assert "Declan Rice, for a club-record fee" in prompt and "How much did they pay?" in prompt
    assert "standalone question" in prompt.lower()


def test_a_useless_rewrite_leaves_the_rules_rewrite() -> None:
    llm = Scripted(reply="Arsenal paid a lot of money.", prompts=[])
    got = condense_with_llm(llm, "How much did they pay?", HISTORY, "How much did Arsenal pay?")
    assert got == ("How much did Arsenal pay?", "rules")
