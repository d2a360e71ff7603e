"""Benchmark of batch screening (issue 7): a generated batch of packages through the Prefect flow.

    .venv/bin/python benchmarks/screen.py                       # 200 packages x 20 files = 4,000 files
    .venv/bin/python benchmarks/screen.py --packages 20 --files-per-package 5 --dir /tmp/b

Generates (once, into --dir) packages of direct text PDFs and .docx made by the corpus renderers,
every file with a unique line so no cache is trivialised (no LibreOffice, no OCR); every tenth
package is a .zip. Then measures in the same run:
  - the ephemeral Prefect server's start cost, a no-op flow run with the server up (with Prefect's
    flow-run heartbeat, and without it as flows.prefect_flows runs with no server configured), and
    `prescreen screen` on the sample (fresh processes);
  - throughput of a cold batch run (files/s) with 1 and 2 workers, and the speed-up of 2 over 1,
    with the CPU seconds used (this process and its finished children) and the load average, since
    the machine may be shared;
  - orchestration overhead: the flow / the same plain functions in a loop (pipeline.screen_key,
    queued_summary, screen_and_save), both "warm": the extraction cache filled by the cold run, the
    ephemeral Prefect server already started in this process, code imported, one plain pass done
    and discarded; both 1 worker, each into an empty queue so every package is really screened and
    saved; 3 pairs in alternating order, reported per pair, as the median and as the ratio of sums;
  - an incremental re-run after one file changed, as % of the cold 2-worker run;
  - peak RSS of the flow's process for the first 25% of the packages against all of them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AS_OF = date(2023, 6, 30)
RUBRIC = "wenzhou-district"
PY = sys.executable


# -- generation -------------------------------------------------------------------------------------

def _render(spec, marker: str) -> tuple[bytes, str]:
    from corpus import render_docx, render_pdf
    from corpus.render import blocks_for

    spec = spec.model_copy(update={"paragraphs": [*spec.paragraphs, marker]})
    if spec.format.startswith("pdf") or spec.format == "image_scan":
        spec = spec.model_copy(update={"format": "pdf_direct"})
        return render_pdf.build(spec, blocks_for(spec)), ".pdf"
    spec = spec.model_copy(update={"format": "docx"})
    return render_docx.build(spec, blocks_for(spec)), ".docx"


def generate(batch: Path, packages: int, per_package: int, seed: int = 7) -> int:
    """Write the batch (skipped when a finished one of the same shape is there); return the file count."""
    stamp = batch / ".done.json"
    shape = {"packages": packages, "files_per_package": per_package, "seed": seed}
    if stamp.exists() and json.loads(stamp.read_text()) == shape:
        return packages * per_package
    from corpus.generate import generate_packages

    shutil.rmtree(batch, ignore_errors=True)
    batch.mkdir(parents=True)
    bases = [generate_packages(seed + k, RUBRIC, None, AS_OF, per_package, "dev")[0] for k in range(min(8, packages))]
    rng = random.Random(seed)
    for p in range(packages):
        name = f"申报单位{p:04d}"
        files = []
        for i, (spec, label) in enumerate(bases[p % len(bases)][:per_package]):
            data, suffix = _render(spec, f"（材料编号 {name}-{i:03d}-{rng.getrandbits(40):010x}）")
            files.append((str(Path(label.path).with_suffix(suffix)), data))
        if p % 10 == 9:
            with zipfile.ZipFile(batch / f"{name}.zip", "w") as zf:
                for path, data in files:
                    zf.writestr(path, data)
        else:
            for path, data in files:
                (batch / name / path).parent.mkdir(parents=True, exist_ok=True)
                (batch / name / path).write_bytes(data)
    stamp.write_text(json.dumps(shape))
    return packages * per_package


def change_one_file(batch: Path) -> Path:
    """Rewrite one file of the first folder package with new content."""
    from corpus.generate import generate_packages

    pkg = next(p for p in sorted(batch.iterdir()) if p.is_dir())
    target = next(f for f in sorted(pkg.rglob("*.pdf")))
    spec = next(s for s, _ in generate_packages(99, RUBRIC, None, AS_OF, 5, "dev")[0] if s.format.startswith("pdf"))
    data, _ = _render(spec, f"（改动 {time.time()}）")
    target.write_bytes(data)
    return target


def subset(batch: Path, out: Path, n: int) -> Path:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for p in sorted(q for q in batch.iterdir() if not q.name.startswith("."))[:n]:
        (out / p.name).symlink_to(p)
    return out


# -- runs (in this process) -------------------------------------------------------------------------

def fresh(work: Path, name: str) -> Path:
    d = work / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def cpu_s() -> float:
    """CPU seconds of this process and its finished children (the extraction processes)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def flow_run(batch: Path, db: Path, workers: int, runner: str = "thread", stats: dict | None = None) -> float:
    from flows.prefect_flows import run_batch

    load, cpu, t = os.getloadavg()[0], cpu_s(), time.perf_counter()
    counts = run_batch(batch, RUBRIC, None, AS_OF, db, workers=workers, runner=runner)
    elapsed = time.perf_counter() - t
    assert counts["packages"] > 0, counts
    if stats is not None:
        stats.update(cpu_s=round(cpu_s() - cpu, 1), cores_used=round((cpu_s() - cpu) / elapsed, 2),
                     load_before=round(load, 2), load_after=round(os.getloadavg()[0], 2))
    return elapsed


def plain_loop(batch: Path, db: Path) -> float:
    """The batch flow's work without Prefect: the same plain functions, one package after another."""
    from flows.pipeline import find_packages, queued_summary, screen_and_save, screen_key

    t = time.perf_counter()
    for src in find_packages(batch):
        key = screen_key(src, RUBRIC, None, AS_OF)
        if queued_summary(db, src, RUBRIC, None, key) is None:
            screen_and_save(db, src, RUBRIC, None, AS_OF, None, key, workers=1)
    return time.perf_counter() - t


# -- fresh processes ----------------------------------------------------------------------------------

PREFECT_PROBE = """
import os, time
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
from prefect import flow
@flow
def noop():
    return 1
t = time.perf_counter(); noop(); first = time.perf_counter() - t
t = time.perf_counter(); noop(); second = time.perf_counter() - t
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):  # as flows.prefect_flows runs
    t = time.perf_counter(); noop(); third = time.perf_counter() - t
print(first, second, third)
"""

MEMORY_PROBE = """
import resource, sys, time
sys.path.insert(0, {root!r})
from datetime import date
from flows.prefect_flows import run_batch
t = time.perf_counter()
run_batch({batch!r}, "wenzhou-district", None, date(2023, 6, 30), {db!r}, workers=2)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, time.perf_counter() - t)
"""


def run_py(code: str, env: dict, n: int = 2) -> list[float]:
    out = subprocess.run([PY, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    return [float(x) for x in out.split()[-n:]]


def timed(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, capture_output=True, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packages", type=int, default=200)
    ap.add_argument("--files-per-package", type=int, default=20)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/prescreen-bench"))
    ap.add_argument("--runner", choices=["thread", "process"], default="thread")
    args = ap.parse_args()
    work = args.dir
    batch = work / f"batch-{args.packages}x{args.files_per_package}"
    env = {**os.environ, "PREFECT_HOME": str(work / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    os.environ.update({k: env[k] for k in ("PREFECT_HOME", "PREFECT_SERVER_ANALYTICS_ENABLED")})
    fig: dict = {"packages": args.packages, "files_per_package": args.files_per_package, "runner": args.runner}

    t = time.perf_counter()
    fig["files"] = n_files = generate(batch, args.packages, args.files_per_package)
    fig["generate_s"] = round(time.perf_counter() - t, 1)
    print(f"batch: {batch} ({n_files} files, {fig['generate_s']} s to generate or check)", flush=True)

    # Prefect's ephemeral server and the single-package screen, in fresh processes
    shutil.rmtree(work / "prefect-home", ignore_errors=True)
    first, _, _ = run_py(PREFECT_PROBE, env, 3)  # fresh PREFECT_HOME: the database is created
    first_again, second_again, no_heartbeat = run_py(PREFECT_PROBE, env, 3)
    fig["ephemeral_first_flow_fresh_home_s"] = round(first, 2)
    fig["ephemeral_first_flow_s"] = round(first_again, 2)
    fig["flow_run_with_server_up_s"] = round(second_again, 2)
    fig["flow_run_with_server_up_no_heartbeat_s"] = round(no_heartbeat, 2)
    sample = ["screen", str(ROOT / "samples/wenzhou-district/瑞安市"), "--rubric", RUBRIC, "--as-of", "2023-06-30",
              "--json"]
    senv = {**env, "PRESCREEN_CACHE": str(fresh(work, "sample-cache"))}
    senv.pop("PREFECT_API_URL", None)
    prescreen = str(Path(PY).parent / "prescreen")
    fig["screen_sample_cold_cache_s"] = round(timed([prescreen, *sample], senv), 2)
    fig["screen_sample_s"] = round(timed([prescreen, *sample], senv), 2)
    fig["screen_sample_prefect_s"] = round(timed([prescreen, *sample, "--prefect"],
                                                 {**senv, "PRESCREEN_FLOW_CACHE": str(fresh(work, "sf"))}), 2)
    print(json.dumps(fig, ensure_ascii=False), flush=True)

    def use(name: str) -> None:
        os.environ["PRESCREEN_CACHE"] = str(fresh(work, f"{name}-extract"))
        os.environ["PRESCREEN_FLOW_CACHE"] = str(fresh(work, f"{name}-flow"))

    import flows.prefect_flows  # noqa: F401 - Prefect's environment, then prefect

    # warm-up: start the ephemeral server once (measured above) on a 1-package subset
    use("warmup")
    flow_run(subset(batch, work / "one", 1), fresh(work, "db") / "warmup.db", 1, args.runner)

    # cold runs: 1 and 2 workers, each with empty caches
    use("cold1")
    s1: dict = {}
    s2: dict = {}
    t1 = flow_run(batch, fresh(work, "db1") / "q.db", 1, args.runner, s1)
    use("cold2")
    t2 = flow_run(batch, fresh(work, "db2") / "q.db", 2, args.runner, s2)
    fig.update({f"cold_1_worker_{k}": v for k, v in s1.items()})
    fig.update({f"cold_2_workers_{k}": v for k, v in s2.items()})
    fig.update(cold_1_worker_s=round(t1, 1), cold_2_workers_s=round(t2, 1),
               files_per_s_1_worker=round(n_files / t1, 1), files_per_s_2_workers=round(n_files / t2, 1),
               speedup_2_over_1=round(t1 / t2, 2))
    print(json.dumps(fig, ensure_ascii=False), flush=True)

    # incremental: one file changed, same caches and queue as the cold 2-worker run
    changed = change_one_file(batch)
    ti = flow_run(batch, work / "db2" / "q.db", 2, args.runner)
    fig.update(incremental_s=round(ti, 2), incremental_pct_of_full=round(100 * ti / t2, 1),
               changed_file=str(changed.relative_to(batch)))
    # unchanged re-run: everything from Prefect's cache
    fig["unchanged_rerun_s"] = round(flow_run(batch, work / "db2" / "q.db", 2, args.runner), 2)
    print(json.dumps(fig, ensure_ascii=False), flush=True)

    # orchestration overhead, warm: extraction cache of the cold 2-worker run, Prefect server up; one
    # plain pass first (discarded: OS page cache, lazy imports), then 3 pairs in alternating order
    os.environ["PRESCREEN_CACHE"] = str(work / "cold2-extract")
    plain_loop(batch, fresh(work, "db3-warmup") / "q.db")
    plain, flows_ = [], []
    for i in range(3):
        runs = [lambda: plain.append(plain_loop(batch, fresh(work, f"db3-{i}") / "q.db")),
                lambda: flows_.append(flow_run(batch, fresh(work, f"db4-{i}") / "q.db", 1, "thread"))]
        for run in runs if i % 2 == 0 else runs[::-1]:
            run()
    ratios = sorted(f / p for f, p in zip(flows_, plain))
    fig.update(warm_plain_loop_s=[round(x, 1) for x in plain], warm_flow_s=[round(x, 1) for x in flows_],
               overhead_ratio_per_pair=[round(f / p, 3) for f, p in zip(flows_, plain)],
               overhead_ratio_median=round(ratios[1], 3), overhead_ratio=round(sum(flows_) / sum(plain), 3))
    print(json.dumps(fig, ensure_ascii=False), flush=True)

    # peak memory of the flow's process: a quarter of the batch against all of it (fresh processes)
    quarter = max(1, args.packages // 4)
    for label, src in ((f"{quarter}_packages", subset(batch, work / "quarter", quarter)),
                       (f"{args.packages}_packages", batch)):
        menv = {**env, "PRESCREEN_CACHE": str(work / "cold2-extract"),
                "PRESCREEN_FLOW_CACHE": str(fresh(work, f"mem-{label}"))}
        rss, secs = run_py(MEMORY_PROBE.format(root=str(ROOT), batch=str(src),
                                               db=str(fresh(work, f"dbm-{label}") / "q.db")), menv)
        fig[f"peak_rss_mb_{label}"] = round(rss, 1)
        fig[f"memory_run_s_{label}"] = round(secs, 1)
    print(json.dumps(fig, ensure_ascii=False), flush=True)
    print("\n" + "\n".join(f"{k:40s} {v}" for k, v in fig.items()))


if __name__ == "__main__":
    main()
