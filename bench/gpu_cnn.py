"""The seed CNN for bench/gpu_check.py: one fixed case to compare backends on,
training speed on a minitorch backend and on PyTorch, a worker process, and
the checks built on them (forward and gradients, images/s, device memory).

The worker exists to bound numba's CPU compile: numba compiles the model's
kernels on the first step (about forty seconds cold on two cores) and a
compile cannot be interrupted in-process, so gpu_check.py runs the CPU side
here, in a subprocess it kills when its time slot ends:

    python gpu_cnn.py worker --backend numba --image 28 --batch-case 64 \
        --batches 64,256 --steps 30 --out numba.json

The worker rewrites --out after each phase (the reference case, then each
batch size), so a killed worker still leaves what it finished.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from gpu_check import Report, Run

MIB = 2**20

CASE_SEED = 7


def seed_cnn(nn, image: int = 28, backend=None, width: int = 4):
    """The seed's CNN (conv 1->4, conv 4->8, max-pool 4, linear 392->128,
    dropout, linear 128->10), its parameters made on `backend` (no CPU kernel
    runs for a cuda model). A smaller `image` or `width` (channels of the first
    conv; the rest scale with it) only for rehearsals on the simulator."""
    flat, hidden = 2 * width * (image // 4) ** 2, 32 * width
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1, backend=backend), nn.ReLU(),
        nn.Conv2d(width, 2 * width, 3, padding=1, backend=backend), nn.ReLU(),
        nn.MaxPool2d(4), nn.Flatten(),
        nn.Linear(flat, hidden, backend=backend), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(hidden, 10, backend=backend),
    )


def case_inputs(image: int, batch: int, shapes: dict[str, tuple[int, ...]]):
    """Random parameters (He scale, so activations stay O(1)), images and labels,
    the same on every backend and in every process."""
    rng = np.random.default_rng(CASE_SEED)
    params = {}
    for name, shape in shapes.items():
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 10
        params[name] = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    x = rng.random((batch, 1, image, image), dtype=np.float32)
    y = rng.integers(0, 10, size=batch)
    return params, x, y


def reference_case(mt, nn, backend, image: int, batch: int, width: int = 4) -> dict[str, object]:
    """Logits, loss and every parameter's and the input's gradient of one
    forward and backward pass (eval mode: no dropout mask to match), in
    float64: in float32 two backends' last-bit differences could pick a
    different maximum in one of the 25,000 pooling windows of batch 64, and
    a gradient would move to another pixel without any kernel being wrong."""
    model = seed_cnn(nn, image, backend, width).to(mt.float64)
    shapes = {name: tuple(p.shape) for name, p in model.named_parameters()}
    params, x_np, y = case_inputs(image, batch, shapes)
    model.load_state_dict(params)
    model.eval()
    x = mt.tensor(x_np, dtype=mt.float64, backend=backend, requires_grad=True)
    logits = model(x)
    loss = nn.CrossEntropyLoss()(logits, y)
    loss.backward()
    grads = {name: p.grad.numpy() for name, p in model.named_parameters()}
    grads["input"] = x.grad.numpy()
    return {"loss": loss.item(), "logits": logits.numpy(), "grads": grads}


def train_speed(mt, nn, optim, backend, image: int, batch: int, steps: int,
                seconds: float, memory=None, width: int = 4) -> dict[str, float]:
    """Adam steps on one fixed random batch, the first (compiling) step untimed;
    the timed steps stop early after `seconds` (a cold compile does not
    count). `memory()`, when given, is read after the first step and after
    the last, the same live set of tensors both times, so a difference is a
    leak."""
    mt.manual_seed(0)
    rng = np.random.default_rng(0)
    model = seed_cnn(nn, image, backend, width)
    model.train()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = mt.tensor(rng.random((batch, 1, image, image), dtype=np.float32), backend=backend)
    y = rng.integers(0, 10, size=batch)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    start = time.perf_counter()
    first = step().item()
    compile_s = time.perf_counter() - start
    before = memory() if memory else 0
    start, done, loss = time.perf_counter(), 0, None
    while done < steps and time.perf_counter() < start + seconds:
        loss = step()
        done += 1
    last = loss.item() if loss is not None else first  # item() waits for queued work
    seconds = (time.perf_counter() - start) / max(done, 1)
    result = {"batch": batch, "steps": done, "first_step_s": compile_s, "ms_per_step": seconds * 1e3,
              "images_per_s": batch / seconds if done else 0.0, "first_loss": first,
              "last_loss": last}
    if memory:
        result.update(memory_before=before, memory_after=memory())
    return result


def torch_speed(image: int, batch: int, steps: int, seconds: float) -> dict[str, float]:
    """The same model and recipe in PyTorch on its CUDA device, TF32 off."""
    import torch
    from torch import nn

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    flat = 8 * (image // 4) ** 2  # the seed's width
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(4), nn.Flatten(), nn.Linear(flat, 128), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(128, 10)).cuda()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(batch, 1, image, image, device="cuda")
    y = torch.randint(0, 10, (batch,), device="cuda")

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(3):  # cuDNN picks its algorithms on the first calls
        step()
    torch.cuda.synchronize()
    start, done = time.perf_counter(), 0
    while done < steps and time.perf_counter() < start + seconds:
        step()
        done += 1
    torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / max(done, 1)
    return {"batch": batch, "steps": done, "ms_per_step": seconds * 1e3,
            "images_per_s": batch / seconds if done else 0.0}


def as_json(case: dict[str, object]) -> dict[str, object]:
    grads = {name: g.tolist() for name, g in case["grads"].items()}
    return {"loss": case["loss"], "logits": case["logits"].tolist(), "grads": grads}


def worker(args: argparse.Namespace) -> None:
    import minitorch.nn as nn
    import minitorch.optim as optim
    import minitorch.tensor as mt

    backend = mt.get_backend(args.backend)
    result: dict[str, object] = {"backend": backend.name, "version": backend.version}

    def save() -> None:
        partial = args.out.with_suffix(".part")
        partial.write_text(json.dumps(result))
        partial.replace(args.out)  # never a half-written file

    if args.batch_case:
        start = time.perf_counter()
        result["case"] = as_json(reference_case(mt, nn, backend, args.image, args.batch_case,
                                                args.width))
        result["case_s"] = time.perf_counter() - start
        save()
    result["speed"] = []
    for batch in args.batches:
        result["speed"].append(train_speed(mt, nn, optim, backend, args.image, batch, args.steps,
                                           args.seconds_per_batch, width=args.width))
        save()


# -- the checks gpu_check.py runs on the seed CNN -------------------------------------------
def torch_cuda():
    """torch when it has a CUDA device, else the reason it cannot be used."""
    try:
        import torch
    except ImportError:
        return None, "torch is not installed"
    return (torch, "") if torch.cuda.is_available() else (None, "torch has no CUDA device")


def _rel_err(got: np.ndarray, want: np.ndarray) -> float:
    scale = float(np.max(np.abs(want))) or 1.0
    return float(np.max(np.abs(got - want))) / scale if want.size else 0.0


def cnn_case(rep: Report, run: Run) -> None:
    """The seed CNN's forward and backward on cuda against the CPU reference."""
    import minitorch.nn as nn
    import minitorch.tensor as mt

    got = reference_case(mt, nn, run.be, run.sizes["image"], run.sizes["case_batch"],
                         run.sizes["width"])
    name, want = run.wait_for_case()  # the CPU worker started before the GPU checks
    if want is None:
        rep.add("SKIP", "seed CNN forward and gradients", "no reference: its worker did not finish")
        return
    tol = 1e-10  # float64: only the order of additions differs
    pairs = [("loss", np.float64(got["loss"]), np.float64(want["loss"])),
             ("logits", got["logits"], np.asarray(want["logits"]))]
    pairs += [(f"grad {k}", g, np.asarray(want["grads"][k])) for k, g in got["grads"].items()]
    errors = {label: _rel_err(np.asarray(g, np.float64), w) for label, g, w in pairs}
    worst = max(errors, key=errors.get)
    ok = all(e < tol for e in errors.values())
    rep.add("PASS" if ok else "FAIL", f"seed CNN forward and gradients: cuda vs {name}",
            f"batch {run.sizes['case_batch']}, {len(pairs)} tensors, worst {worst} "
            f"(max error / max value {errors[worst]:.1e}, tolerance {tol:.0e})", errors=errors)


def cnn_speed(rep: Report, run: Run) -> None:
    import minitorch.nn as nn
    import minitorch.optim as optim
    import minitorch.tensor as mt

    run.collect_workers(rep)  # the CPU is ours alone from here on
    image, steps = run.sizes["image"], run.sizes["steps"]
    cuda_speed = {}
    for batch in run.sizes["batches"]:
        seconds = rep.slot("speed") / len(run.sizes["batches"])
        if seconds < 1:
            rep.add("SKIP", f"seed CNN on cuda, batch {batch}", "time budget")
            continue
        r = train_speed(mt, nn, optim, run.be, image, batch, steps, seconds,
                        width=run.sizes["width"])
        cuda_speed[batch] = r["images_per_s"]
        rep.add("INFO", f"seed CNN on cuda, batch {batch}",
                f"{r['images_per_s']:.0f} images/s ({r['ms_per_step']:.2f} ms/step over "
                f"{r['steps']} steps; first step {r['first_step_s']:.1f}s)", **r)
    numba = {r["batch"]: r for r in run.workers.get("numba", {}).get("speed", [])}
    for batch in run.sizes["batches"]:
        if batch not in numba:
            rep.add("SKIP", f"seed CNN on numba, batch {batch}",
                    "its worker did not reach this batch (see the numba worker line)")
            continue
        r = numba[batch]
        ratio = cuda_speed.get(batch, 0.0) / max(r["images_per_s"], 1e-9)
        rep.add("INFO", f"seed CNN on numba (same host), batch {batch}",
                f"{r['images_per_s']:.0f} images/s over {r['steps']} steps; cuda is "
                f"{ratio:.1f}x that", **r)
    torch, why_not = torch_cuda()
    for batch in run.sizes["batches"]:
        if torch is None:
            rep.add("SKIP", f"seed CNN on PyTorch CUDA, batch {batch}", why_not)
            continue
        seconds = rep.slot("torch") / len(run.sizes["batches"])
        r = torch_speed(image, batch, steps * 5, seconds)
        ratio = cuda_speed.get(batch, 0.0) / max(r["images_per_s"], 1e-9)
        rep.add("INFO", f"seed CNN on PyTorch CUDA, batch {batch}",
                f"{r['images_per_s']:.0f} images/s; minitorch cuda reaches {100 * ratio:.1f}%", **r)


def _device_memory_used() -> int:
    import gc

    from numba import cuda

    gc.collect()
    context = cuda.current_context()
    # numba frees device memory in batches; flush so "used" means "live".
    pending = getattr(context, "deallocations", None)
    if pending is not None:
        pending.clear()
    free, total = context.get_memory_info()
    return total - free


def memory(rep: Report, run: Run) -> None:
    import minitorch.nn as nn
    import minitorch.optim as optim
    import minitorch.tensor as mt

    steps, batch = run.sizes["memory_steps"], run.sizes["memory_batch"]
    if run.args.simulate:
        rep.add("SKIP", "device memory across training", "the simulator has no device memory")
        return
    counters = getattr(run.be, "counters", None)  # the backend's caching pool, if it has one
    in_pool: list[float] = []

    def used() -> int:
        if counters is not None:
            in_pool.append(counters().get("bytes_in_use", 0) / MIB)
        return _device_memory_used()

    r = train_speed(mt, nn, optim, run.be, run.sizes["image"], batch, steps,
                    rep.slot("memory"), memory=used, width=run.sizes["width"])
    label = f"device memory across {r['steps']} steps (batch {batch})"
    before, after = r["memory_before"] / MIB, r["memory_after"] / MIB
    growth = [after - before] + ([in_pool[1] - in_pool[0]] if len(in_pool) == 2 else [])
    pool = (f"; pool in use {in_pool[0]:.1f} -> {in_pool[1]:.1f} MiB" if len(in_pool) == 2
            else "")
    short = "" if r["steps"] == steps else f"; only {r['steps']} of {steps} steps fitted its slot"
    rep.add("PASS" if max(growth) < 64 else "FAIL", label,
            f"{before:.0f} MiB used after the first step, {after:.0f} MiB after the last "
            f"({after - before:+.1f} MiB){pool}; loss {r['first_loss']:.3f} -> "
            f"{r['last_loss']:.3f}{short}", pool_in_use_mib=in_pool,
            counters=counters() if counters else None, **r)


def main() -> None:
    parser = argparse.ArgumentParser(description="seed-CNN worker for gpu_check.py")
    parser.add_argument("mode", choices=["worker"])
    parser.add_argument("--backend", default="numba")
    parser.add_argument("--image", type=int, default=28)
    parser.add_argument("--width", type=int, default=4)
    parser.add_argument("--batch-case", type=int, default=64, help="0: no reference case")
    parser.add_argument("--batches", type=lambda s: [int(b) for b in s.split(",") if b],
                        default=[64, 256])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--seconds-per-batch", type=float, default=20.0)
    parser.add_argument("--out", type=Path, required=True)
    worker(parser.parse_args())


if __name__ == "__main__":
    main()
