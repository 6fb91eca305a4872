"""The one settings object: flags > ``ASSISTANT_*`` env vars > TOML file > defaults.

It is built once per process (by the CLI or the web app) and passed down; nothing reads the
environment behind its back.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.errors import UsageError

ReaderName = Literal["extractive", "llamacpp", "openai", "ollama"]

#: Looked for in the working directory when neither ``--config`` nor ``ASSISTANT_CONFIG`` names a file.
DEFAULT_CONFIG_FILE = "news-assistant.toml"


class Settings(BaseSettings):
    """Everything a user may configure. Field names double as env vars (``ASSISTANT_<NAME>``)."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    # where things live
    corpus_dir: Path = Field(Path("seeds"), description="Folder of .txt/.md articles to ingest.")
    store_dir: Path = Field(Path(".news-assistant"), description="Folder of the embedded Chroma store.")
    collection: str = Field("news", description="Chroma collection name.")
    chroma_url: str | None = Field(
        None, description="Use a Chroma server (http://HOST:PORT) instead of the embedded store."
    )
    chroma_token: str | None = Field(None, description="Auth token for the Chroma server.")

    # ingestion
    chunk_size: int = Field(200, ge=32, le=2000, description="Chunk size in tiktoken (cl100k_base) tokens.")
    chunk_overlap: int = Field(40, ge=0, le=500, description="Token overlap between neighbouring chunks.")
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are skipped with a message.")
    embed_batch_size: int = Field(
        8, ge=1, le=1024, description="Texts per embedding batch (8 beat 4, 16 and 32 on real news, 2 cores)."
    )
    reader_embedding: Literal["int8", "store"] = Field(
        "int8",
        description=(
            "The model that embeds sentences while answering: int8 (MiniLM quantised per channel on first use, "
            "about 2x faster) or store (the model that built the store's vectors)."
        ),
    )

    embedding: Literal["auto", "local", "int8", "openai", "ollama"] = Field(
        "auto",
        description=(
            "What embeds chunks and questions: auto (the model an existing store was built with; int8 for a new "
            "store), local (the packaged MiniLM, on this machine's cores), int8 (the same MiniLM quantised per "
            "channel, as the reader's: 1.6x the chunks/s on CPU, the same retrieval on the dev set), openai (an "
            "OpenAI-compatible /v1/embeddings server: text-embeddings-inference, vLLM, llama.cpp's server) or "
            "ollama. The store records which model made its vectors and refuses another."
        ),
    )
    embedding_url: str | None = Field(
        None,
        description="Base URL of the embedding server (http://HOST:PORT/v1 for openai, http://HOST:11434 for ollama).",
    )
    embedding_model: str | None = Field(None, description="Model name on the embedding server.")
    embedding_api_key_env: str = Field(
        "OPENAI_API_KEY", description="Env var holding the embedding server's API key (none needed by a local server)."
    )
    embedding_concurrency: int = Field(
        4, ge=1, le=64, description="Embedding requests in flight at once while ingesting (servers only)."
    )

    # answering
    reader: ReaderName = Field("extractive", description="Which reader writes the answer text.")
    top_k: int = Field(6, ge=1, le=50, description="Passages retrieved per question (after fusion).")
    max_sentences: int = Field(2, ge=1, le=6, description="Most evidence sentences in an extractive answer.")
    direct_answer: bool = Field(
        True,
        description="Lead extractive answers with the span that answers (a name, number, date) before its evidence.",
    )
    cover_similarity: float = Field(
        0.6,
        ge=0.0,
        le=1.0,
        description="Embedding similarity at which a sentence covers what is asked though it words it otherwise.",
    )
    refusal_threshold: float = Field(
        0.42, ge=0.0, le=1.0, description="Evidence score below which the answer is refused."
    )
    recency_half_life_days: float = Field(
        7.0,
        ge=0.0,
        description=(
            "Questions about the latest news ('this week', 'recently', 'now' …; see assistant.recency) prefer "
            "articles published shortly before the question's date: a passage's score halves per this many "
            "days of its article's age (0: treat them as any other question)."
        ),
    )
    default_half_life_days: float = Field(
        365.0,
        ge=0.0,
        description=(
            "Every other question mildly prefers newer articles (news usually means the latest): the score "
            "halves per this many days of age (0: no preference)."
        ),
    )

    # generative readers (issue: pluggable backends)
    model_path: Path | None = Field(None, description="GGUF model file for the llamacpp reader.")
    llm_url: str | None = Field(None, description="Base URL of an OpenAI-compatible or Ollama server.")
    llm_model: str | None = Field(None, description="Model name on that server.")
    llm_api_key_env: str = Field("OPENAI_API_KEY", description="Env var holding the API key for the openai reader.")
    llm_api: Literal["chat", "completions"] = Field(
        "chat",
        description=(
            "How the openai reader prompts: chat (/v1/chat/completions, the model's own chat template; what "
            "chat-only models such as OpenAI's need) or completions (/v1/completions, a few-shot text for base models)."
        ),
    )
    llm_timeout_s: float = Field(
        60.0, gt=0, description="A model giving no token for this long counts as hung: the answer falls back."
    )
    llm_threads: int | None = Field(None, ge=1, description="CPU threads of the local model (default: cores - 1).")

    # web
    host: str = Field("127.0.0.1", description="Address the web chat binds to.")
    port: int = Field(7860, ge=0, le=65535, description="Port of the web chat.")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = _config_path()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path is not None:
            sources.append(TomlFileSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @property
    def embedding_label(self) -> str:
        """The model that makes the store's vectors, as the store records it ("openai:bge-small"): a store
        built by one model refuses questions and articles embedded by another. ``auto`` has no label until
        the store is opened (``StoreHandle.resolve_embedding`` replaces it by the store's model)."""
        if self.embedding == "auto":
            raise RuntimeError("embedding = auto is resolved when the store is opened; open the store first")
        if self.embedding == "local":
            from assistant.embedding import MODEL_NAME  # numpy and llama-index: only when a store is opened

            return MODEL_NAME
        if self.embedding == "int8":
            from assistant.quantized import LABEL

            return LABEL
        return f"{self.embedding}:{self.embedding_model or '?'}"

    @property
    def chroma_path(self) -> Path:
        return self.store_dir / "chroma"

    @property
    def docstore_path(self) -> Path:
        return self.store_dir / "docstore.json"

    @property
    def upload_dir(self) -> Path:
        """Where articles uploaded in the web chat are kept: the store's own folder, not the working directory."""
        return self.store_dir / "uploads"


class SettingsError(UsageError):
    """A settings file that cannot be used as written (unknown key, unreadable TOML); the message names it."""


#: Settings that are paths: relative ones in a TOML file are relative to that file.
PATH_FIELDS = ("corpus_dir", "store_dir", "model_path")


class TomlFileSource(TomlConfigSettingsSource):
    """A TOML settings file whose relative paths resolve against the file, and whose unknown keys are errors."""

    def __init__(self, settings_cls: type[BaseSettings], toml_file: Path) -> None:
        self.toml_path = Path(toml_file)
        super().__init__(settings_cls, toml_file=toml_file)

    def _read_file(self, file_path: Path) -> dict[str, Any]:
        try:
            data = super()._read_file(file_path)
        except Exception as exc:  # tomllib.TOMLDecodeError and friends
            raise SettingsError(f"config file {file_path} is not valid TOML: {exc}") from exc
        known = list(Settings.model_fields)
        for key in data:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
                raise SettingsError(f"unknown setting {key!r} in {file_path}{hint}")
        base = Path(file_path).resolve().parent
        for key in PATH_FIELDS:
            value = data.get(key)
            if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
                data[key] = str(base / value)
        return data


_CONFIG_OVERRIDE: Path | None = None


def _config_path() -> Path | None:
    if _CONFIG_OVERRIDE is not None:
        return _CONFIG_OVERRIDE
    env = os.environ.get("ASSISTANT_CONFIG")
    if env:
        return Path(env)
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


def load_settings(config: Path | None = None, **flags: Any) -> Settings:
    """Build the settings from flags (``None`` means 'not given'), env vars and a TOML file."""
    global _CONFIG_OVERRIDE
    if config is not None and not config.is_file():
        raise FileNotFoundError(f"config file not found: {config}")
    _CONFIG_OVERRIDE = config
    try:
        return Settings(**{k: v for k, v in flags.items() if v is not None})
    finally:
        _CONFIG_OVERRIDE = None
