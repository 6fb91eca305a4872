"""Ollama's chat API (``/api/tags``, ``/api/chat``, streamed NDJSON) in front of a real
OpenAI-compatible server, for testing the ``ollama`` reader where no Ollama binary can be installed.

The model and its chat template are real (llama-cpp-python's server with the packaged model); only
the wire format is translated, so the product's Ollama client path (llama-index-llms-ollama and the
``ollama`` package) runs unchanged.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

MODEL = "smollm2:135m"


def _now() -> str:
    return datetime.now(UTC).isoformat()


@contextlib.contextmanager
def serve(openai_url: str) -> Iterator[tuple[str, list[str]]]:
    """``(url, paths called)`` of an Ollama-speaking server on a free loopback port."""
    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def _json(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/api/tags":
                self._json({"models": [{"name": MODEL, "model": MODEL, "modified_at": _now(), "size": 1}]})
            else:
                self.send_error(404)

        def do_POST(self) -> None:
            calls.append(self.path)
            if self.path == "/api/show":  # the client asks for the context window first
                info = {"llama.context_length": 2048}
                self._json({"modelinfo": info, "model_info": info, "details": {"family": "llama"}})
                return
            if self.path != "/api/chat":
                self.send_error(404)
                return
            req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            options = req.get("options") or {}
            body = {
                "messages": req["messages"],
                "temperature": options.get("temperature", 0.0),
                "max_tokens": options.get("num_predict", 64),
                "stop": options.get("stop"),
                "stream": bool(req.get("stream", True)),
            }
            if not body["stream"]:
                out = httpx.post(f"{openai_url}/chat/completions", json=body, timeout=120).json()
                text = out["choices"][0]["message"]["content"]
                self._json(
                    {
                        "model": MODEL,
                        "created_at": _now(),
                        "message": {"role": "assistant", "content": text},
                        "done": True,
                        "done_reason": "stop",
                    }
                )
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-ndjson")
            self.end_headers()
            with httpx.stream("POST", f"{openai_url}/chat/completions", json=body, timeout=120) as resp:
                for line in resp.iter_lines():
                    if not line.startswith("data: ") or line == "data: [DONE]":
                        continue
                    delta = json.loads(line[6:])["choices"][0].get("delta", {}).get("content") or ""
                    chunk = {
                        "model": MODEL,
                        "created_at": _now(),
                        "message": {"role": "assistant", "content": delta},
                        "done": False,
                    }
                    self.wfile.write((json.dumps(chunk) + "\n").encode())
                    self.wfile.flush()
            final = {
                "model": MODEL,
                "created_at": _now(),
                "message": {"role": "assistant", "content": ""},
                "done": True,
                "done_reason": "stop",
            }
            self.wfile.write((json.dumps(final) + "\n").encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()
