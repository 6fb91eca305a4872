"""Nothing leaves the machine: ingest, ask and serve (+ one ``/ask`` call) with outbound network blocked.

Every product process here runs with a ``sitecustomize`` (put first on ``PYTHONPATH``) that makes
``socket.socket.connect``/``connect_ex``, ``socket.create_connection``, ``socket.getaddrinfo`` and
``socket.gethostbyname`` fail for any address that is not loopback, and records each such attempt in
a file. The flow must work and the file must stay empty. A first test proves the guard is loaded and
blocks; a last one (when ``unshare -n`` is allowed) repeats ingest + ask in a network namespace that
has no interface at all, which also covers connections made outside Python's socket module.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
QUESTION = "Which photo agency took the picture of the officer adjusting a Russian flag?"

GUARD = r'''
"""Test guard: refuse and record every non-loopback connection or name lookup of this process."""
import errno
import ipaddress
import json
import os
import socket
import traceback

_LOG = os.environ["NET_GUARD_LOG"]
_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
with open(os.environ["NET_GUARD_LOADED"], "a") as _f:
    _f.write(f"{os.getpid()}\n")


def _local(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0].lower()
    if host in _LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def _record(call, target):
    with open(_LOG, "a") as f:
        stack = "".join(traceback.format_stack(limit=12)[:-2])
        f.write(json.dumps({"pid": os.getpid(), "call": call, "target": repr(target), "stack": stack}) + "\n")


def _inet(sock):
    return sock.family in (socket.AF_INET, socket.AF_INET6)


_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex
_create_connection, _getaddrinfo, _gethostbyname = socket.create_connection, socket.getaddrinfo, socket.gethostbyname


def connect(self, address):
    if _inet(self) and not _local(address[0]):
        _record("connect", address)
        raise OSError(errno.ENETUNREACH, f"network blocked by the offline test: {address!r}")
    return _connect(self, address)


def connect_ex(self, address):
    if _inet(self) and not _local(address[0]):
        _record("connect_ex", address)
        return errno.ENETUNREACH
    return _connect_ex(self, address)


def create_connection(address, *args, **kwargs):
    if not _local(address[0]):
        _record("create_connection", address)
        raise OSError(errno.ENETUNREACH, f"network blocked by the offline test: {address!r}")
    return _create_connection(address, *args, **kwargs)


def getaddrinfo(host, *args, **kwargs):
    if not _local(host):
        _record("getaddrinfo", host)
        raise socket.gaierror(socket.EAI_NONAME, f"name lookup blocked by the offline test: {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


def gethostbyname(host):
    if not _local(host):
        _record("gethostbyname", host)
        raise socket.gaierror(socket.EAI_NONAME, f"name lookup blocked by the offline test: {host!r}")
    return _gethostbyname(host)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.create_connection = create_connection
socket.getaddrinfo = getaddrinfo
socket.gethostbyname = gethostbyname
'''


@pytest.fixture(scope="module")
def guard(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The guard's folder, log files and the environment that loads it."""
    tmp = tmp_path_factory.mktemp("offline")
    site = tmp / "guard"
    site.mkdir()
    (site / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log, loaded = tmp / "attempts.jsonl", tmp / "loaded.txt"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        "NET_GUARD_LOG": str(log),
        "NET_GUARD_LOADED": str(loaded),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("ASSISTANT_CONFIG", None)
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(key, None)  # a proxy on loopback would hide outbound requests from the guard
    return {"tmp": tmp, "env": env, "log": log, "loaded": loaded}


def attempts(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from assistant.cli import main; main()", *args]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_guard_is_loaded_and_blocks(guard: dict[str, object], tmp_path: Path) -> None:
    """Without this the main test could pass with no guard at all."""
    env = {**guard["env"], "NET_GUARD_LOG": str(tmp_path / "probe.jsonl")}  # type: ignore[dict-item]
    code = (
        "import socket\n"
        "for call in (lambda: socket.create_connection(('192.0.2.1', 80), timeout=1),\n"
        "             lambda: socket.getaddrinfo('pypi.org', 443),\n"
        "             lambda: socket.socket().connect(('198.51.100.7', 443))):\n"
        "    try:\n"
        "        call()\n"
        "    except OSError as exc:\n"
        "        assert 'blocked by the offline test' in str(exc), exc\n"
        "    else:\n"
        "        raise SystemExit('not blocked')\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "socket.create_connection(s.getsockname(), timeout=5).close()  # loopback still works\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    calls = [a["call"] for a in attempts(tmp_path / "probe.jsonl")]
    assert calls == ["create_connection", "getaddrinfo", "connect"], calls


def test_ingest_ask_and_serve_with_the_network_blocked(guard: dict[str, object]) -> None:
    tmp: Path = guard["tmp"]  # type: ignore[assignment]
    env: dict[str, str] = guard["env"]  # type: ignore[assignment]
    corpus, store = tmp / "corpus", tmp / "store"
    shutil.copytree(SEEDS, corpus)
    common = ["--store", str(store)]

    ingest = subprocess.run(
        cli("ingest", str(corpus), *common), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert ingest.returncode == 0 and "5 added" in " ".join(ingest.stderr.split()), ingest.stderr

    ask = subprocess.run(
        cli("ask", "--json", QUESTION, *common, "--corpus", str(corpus)),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert ask.returncode == 0, ask.stderr
    record = json.loads(ask.stdout)
    assert "reuters" in record["answer"].lower() and not record["refused"]

    port = free_port()
    serve = subprocess.Popen(
        cli("serve", "--port", str(port), *common, "--corpus", str(corpus)),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = ""
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and "running at" not in line:
            line = serve.stdout.readline() if serve.stdout else ""
            if not line and serve.poll() is not None:
                break
        assert f"http://127.0.0.1:{port}/" in line, serve.stderr.read() if serve.poll() is not None else line
        from gradio_client import Client

        try:
            web = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(question=QUESTION, api_name="/ask")
        except Exception as exc:  # the server's traceback says why; the client only says "an exception"
            serve.send_signal(signal.SIGINT)
            _, server_err = serve.communicate(timeout=30)
            raise AssertionError(f"/ask failed: {exc}\nserver stderr:\n{server_err[-6000:]}") from exc
        assert web["answer"] == record["answer"]
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()

    loaded = set(guard["loaded"].read_text().split())  # type: ignore[union-attr]
    assert str(serve.pid) in loaded and len(loaded) >= 3  # the guard ran in ingest, ask and serve
    blocked = attempts(guard["log"])  # type: ignore[arg-type]
    assert blocked == [], "\n".join(f"{a['call']} {a['target']}\n{a['stack']}" for a in blocked[:3])


def _unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _unshare_works(), reason="unshare -n is not permitted here")
def test_first_ask_in_a_network_namespace_without_interfaces(tmp_path: Path) -> None:
    """``ask`` on an empty store ingests the corpus first: both with no network device at all."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ASSISTANT_CONFIG", None)
    cmd = cli("ask", "--json", QUESTION, "--store", str(tmp_path / "store"), "--corpus", str(corpus))
    proc = subprocess.run(["unshare", "-n", *cmd], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "5 added" in " ".join(proc.stderr.split())
    assert "reuters" in json.loads(proc.stdout)["answer"].lower()
