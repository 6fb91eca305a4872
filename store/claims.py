"""Leases on files, kept in the Chroma server itself, so ingests on several machines share one store.

A claim is a record ``claim::<name>`` in the store's side collection ``<collection>__kv`` with its
owner and an expiry time (``LEASE_S``), renewed by a thread while the owner works; a crashed
owner stops renewing, so its claims lapse and another ingest takes the files over. Chroma has no
compare-and-swap: a claimer writes its claim, waits ``SETTLE_S`` and reads it back, and only the
last writer proceeds. Should two still race through, both write the same deterministic chunk ids
and the same catalogue entry, so the store is the same; only work is wasted.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.config import StoreSettings

LEASE_S = 60.0
SETTLE_S = 0.2
_NO_VECTOR = [1.0]


def _cid(name: str) -> str:
    return f"claim::{name}"


class Claims:
    """This ingest's leases on files of one store (server mode)."""

    def __init__(self, kv_collection: Any, lease_s: float = LEASE_S) -> None:
        self.col, self.lease_s = kv_collection, lease_s
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def live(self) -> set[str]:
        """Files anyone holds an unexpired claim on."""
        got = self.col.get(where={"claim": 1}, include=["metadatas"])
        now = time.time()
        return {m["name"] for m in got.get("metadatas") or [] if m and m.get("until", 0) > now}

    def claim(self, names: list[str]) -> list[str]:
        """Claim what nobody else holds; returns the names now ours."""
        if not names:
            return []
        got = self.col.get(ids=[_cid(n) for n in names], include=["metadatas"])
        now = time.time()
        taken = {
            m["name"] for m in got.get("metadatas") or [] if m and m.get("until", 0) > now and m["owner"] != self.owner
        }
        free = [n for n in names if n not in taken]
        if not free:
            return []
        self._write(free)
        time.sleep(SETTLE_S)  # a rival's overlapping claim lands before the read-back: the last writer wins
        got = self.col.get(ids=[_cid(n) for n in free], include=["metadatas"])
        mine = [m["name"] for m in got.get("metadatas") or [] if m and m.get("owner") == self.owner]
        with self._lock:
            self.held.update(mine)
        if mine and self._renewer is None:
            self._renewer = threading.Thread(target=self._renew, name="ingest-claims", daemon=True)
            self._renewer.start()
        return mine

    def release(self, names: list[str]) -> None:
        """Drop our claims on ``names`` (written or given up)."""
        with self._lock:
            ours = [n for n in names if n in self.held]
            self.held.difference_update(ours)
        if ours:
            got = self.col.get(ids=[_cid(n) for n in ours], include=["metadatas"])
            still = [i for i, m in zip(got["ids"], got.get("metadatas") or [], strict=True) if m["owner"] == self.owner]
            if still:
                self.col.delete(ids=still)

    def close(self) -> None:
        self._stop.set()
        self.release(list(self.held))

    def _write(self, names: list[str]) -> None:
        until = time.time() + self.lease_s
        self.col.upsert(
            ids=[_cid(n) for n in names],
            metadatas=[{"claim": 1, "name": n, "owner": self.owner, "until": until} for n in names],
            embeddings=[_NO_VECTOR] * len(names),
        )

    def _renew(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            with self._lock:
                held = sorted(self.held)
            if held:
                self._write(held)


def sharing_for(settings: StoreSettings, catalogue: Any) -> Sharing | None:
    """Server mode: claims on files, shared with every ingest against the same server; embedded: None
    (the store lock makes that ingest the only writer)."""
    if not settings.chroma_url:
        return None
    from store.chroma import open_client, open_kv_collection

    return Sharing(Claims(open_kv_collection(open_client(settings), settings.collection)), catalogue, time.time())


class Sharing:
    """How one ingest shares its files with others on the same server: claim each batch, release when written.

    ``take`` is called just before a batch is chunked (so files are claimed as the work reaches
    them, and several ingests interleave); a file someone else holds is deferred, and ``finish``
    waits for the deferred ones: done by the other ingest (``shared``), or its claim lapsed and the
    file comes back to be done here.
    """

    def __init__(self, claims: Claims, catalogue: Any, since: float) -> None:
        self.claims, self.catalogue, self.since = claims, catalogue, since
        self.deferred: list[tuple[Any, Any]] = []
        self.shared: list[str] = []

    def take(self, batch: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
        mine = set(self.claims.claim([d.id_ for d, _ in batch]))
        self.deferred += [(d, o) for d, o in batch if d.id_ not in mine]
        out = []
        for doc, origin in batch:
            if doc.id_ not in mine:
                continue
            if self._done_elsewhere(doc):
                self.claims.release([doc.id_])
                self.shared.append(doc.id_)
            else:
                out.append((doc, origin))
        return out

    def written(self, names: list[str]) -> None:
        self.claims.release(names)

    def finish(self, poll_s: float = 1.0) -> list[tuple[Any, Any]]:
        """The deferred files to do here now (their claims lapsed); [] when others did them all."""
        while self.deferred:
            waiting, self.deferred = self.deferred, []
            live = self.claims.live()
            again = []
            for doc, origin in waiting:
                if self._done_elsewhere(doc):
                    self.shared.append(doc.id_)
                elif doc.id_ in live:
                    self.deferred.append((doc, origin))
                else:
                    again.append((doc, origin))
            if again:
                return again
            if self.deferred:
                time.sleep(poll_s)
        return []

    def _done_elsewhere(self, doc: Any) -> bool:
        entry = self.catalogue.get(doc.id_)
        return entry is not None and entry.sha256 == doc.metadata["sha256"] and entry.ingested_at >= self.since
