"""A real embedding server on loopback, made from the product's own model: OpenAI's ``/v1/embeddings``
(floats or base64, as the ``openai`` client asks by default) and Ollama's ``/api/embed``, what
text-embeddings-inference, vLLM, llama.cpp's server and Ollama expose on a GPU machine.

It runs the packaged MiniLM, so its vectors equal the local ones (the tests compare them); it counts
requests and the most in flight at once (the ingest's concurrency), and can be told to fail.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

MODEL = "all-minilm-l6-v2"


@dataclass
class Served:
    url: str
    requests: int = 0
    texts: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    models: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextlib.contextmanager
def serve(delay_s: float = 0.05) -> Iterator[Served]:
    """A server on a free loopback port; ``delay_s`` per request stands for the network and a busy GPU,
    so concurrent requests overlap as they would there."""
    from assistant.embedding import MiniLMEmbedding

    model = MiniLMEmbedding(embed_batch_size=8)
    model.load()
    model_lock = threading.Lock()  # one ONNX session; requests overlap in their delay, not in the model

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _json(self, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path not in ("/v1/embeddings", "/api/embed"):
                self.send_error(404)
                return
            req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            texts = req["input"] if isinstance(req["input"], list) else [req["input"]]
            with served.lock:
                served.requests += 1
                served.texts += len(texts)
                served.in_flight += 1
                served.max_in_flight = max(served.max_in_flight, served.in_flight)
                served.models.add(req.get("model", ""))
            try:
                time.sleep(delay_s)
                with model_lock:
                    vectors = model.embed(texts).astype(np.float32)
            finally:
                with served.lock:
                    served.in_flight -= 1
            if self.path == "/api/embed":
                self._json({"model": req.get("model"), "embeddings": vectors.tolist()})
                return
            b64 = req.get("encoding_format") == "base64"
            data = [
                {
                    "object": "embedding",
                    "index": i,
                    "embedding": base64.b64encode(v.tobytes()).decode() if b64 else v.tolist(),
                }
                for i, v in enumerate(vectors)
            ]
            usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
            self._json({"object": "list", "data": data, "model": req.get("model"), "usage": usage})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    served = Served(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
