"""The local model's own process: llama-cpp-python's OpenAI-compatible server on loopback.

Started and supervised by ``supervisor.LocalModelServer`` (``python -m assistant.readers.llm_worker
MODEL --port N``), so a crash, hang or out-of-memory inside llama.cpp kills this process, never the
app. Two things differ from ``python -m llama_cpp.server``:

- **AMX-safe loading.** llama.cpp's "extra buffer types" (weight repacking, which on CPUs with AMX
  selects the AMX kernels) segfault in decode in natively built wheels (measured on AVX-512 + AMX
  servers: exit 139 on the first token). Every model is loaded with ``use_extra_bufts=False``, which
  llama-cpp-python does not expose as an argument, so its default model parameters are wrapped here.
  The cost is the repacked-weight speed-up on such CPUs; the benefit is that any build runs anywhere.
- **No orphans.** The worker exits when the process that started it is gone.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Any

#: checked every this many seconds: is the parent process still alive?
PARENT_POLL_S = 1.0


def disable_extra_buffer_types() -> None:
    """Make every model this process loads skip llama.cpp's extra (AMX/repack) buffer types."""
    import llama_cpp.llama_cpp as lib

    if getattr(lib.llama_model_default_params, "_no_extra_bufts", False):
        return
    original = lib.llama_model_default_params

    def params() -> Any:
        p = original()
        if hasattr(p, "use_extra_bufts"):
            p.use_extra_bufts = False
        return p

    params._no_extra_bufts = True  # type: ignore[attr-defined]
    lib.llama_model_default_params = params


def model_params() -> Any:
    """The model parameters this process loads with (a test reads ``use_extra_bufts`` from it)."""
    disable_extra_buffer_types()
    import llama_cpp.llama_cpp as lib

    return lib.llama_model_default_params()


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != parent:
            os._exit(0)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="news-assistant's local model server (llama.cpp, loopback only)")
    ap.add_argument("model", help="GGUF model file")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ctx", type=int, default=2048)
    ap.add_argument("--parent", type=int, default=os.getppid(), help="exit when this process is gone")
    args = ap.parse_args(argv)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep instead of spinning
    disable_extra_buffer_types()
    threading.Thread(target=_watch_parent, args=(args.parent,), daemon=True).start()

    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    model = ModelSettings(
        model=args.model,
        model_alias="local",
        n_ctx=args.ctx,
        n_threads=args.threads,
        n_threads_batch=args.threads,
        verbose=False,
    )
    print(f"use_extra_bufts={model_params().use_extra_bufts}", file=sys.stderr, flush=True)
    app = create_app(server_settings=ServerSettings(host="127.0.0.1", port=args.port), model_settings=[model])
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
