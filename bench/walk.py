"""What residents really send, through the WeChat webhook: a walk with search and details.

Each resident says 菜单 → 2 (找工作) → 保安 (a search) → 1 (the first opening's details) →
返回 (the list again) → 菜单 → 4 (政策资讯) → 1 (a notice in full), waiting for each reply
as a phone does. 200 residents per round, 50 at once, on the 360 demo openings. The bare
FastAPI endpoint beside it runs on the same uvicorn (httptools + uvloop when installed) and
gets the same number of requests from the same client; rounds alternate, medians reported.

    .venv/bin/python -m bench.walk                        # SQLite, 200 residents, 50 at once
    .venv/bin/python -m bench.walk --rounds 3 --database postgresql
    .venv/bin/python -m bench.walk --profile /tmp/walk    # py-spy the server (if installed)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from bench.wechat import (
    SERVER_CPU,
    Connection,
    Result,
    cpu_seconds,
    database,
    free_port,
    machine,
    pg_reachable,
    pooled,
    report,
    running,
    serve_bare,
    serve_jobbot,
    signed_text,
    wait_ready,
)

WALK = ("菜单", "2", "保安", "1", "返回", "菜单", "4", "1")
STEP_NAMES = ("menu", "jobs", "search", "details", "back", "menu", "notices", "notice")


@dataclass
class Walked:
    result: Result
    per_step: list[list[float]]  # latencies (s) of each step of the walk


async def walk(port: int, residents: int, clients: int, run_id: str, pid: int | None) -> Walked:
    queue = iter(range(residents))
    per_step: list[list[float]] = [[] for _ in WALK]
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = await Connection.open(port)
        try:
            for resident in queue:
                openid = f"oWalk{run_id}r{resident:05d}"
                for step, text in enumerate(WALK):
                    target, body = signed_text(openid, text, f"{run_id}{resident:05d}{step}")
                    started = time.perf_counter()
                    status = await conn.post(target, body)
                    per_step[step].append(time.perf_counter() - started)
                    errors += status != 200
        finally:
            conn.close()

    before = cpu_seconds(pid) if pid else None
    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    seconds = time.perf_counter() - began
    after = cpu_seconds(pid) if pid else None
    used = None if before is None or after is None else after - before
    latencies = [x for step in per_step for x in step]
    return Walked(Result(clients, len(latencies), seconds, latencies, errors, used), per_step)


async def flat(port: int, total: int, clients: int, pid: int) -> Result:
    """The bare endpoint gets as many requests as the walk makes, from as many clients."""
    counter = iter(range(total))
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        conn = await Connection.open(port)
        try:
            for n in counter:
                target, body = signed_text(f"oFlat{n % 997:05d}", "菜单", f"9{n:07d}")
                started = time.perf_counter()
                status = await conn.post(target, body)
                latencies.append(time.perf_counter() - started)
                errors += status != 200
        finally:
            conn.close()

    before = cpu_seconds(pid)
    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    seconds = time.perf_counter() - began
    after = cpu_seconds(pid)
    used = None if before is None or after is None else after - before
    return Result(clients, total, seconds, latencies, errors, used)


async def check_replies(port: int) -> None:
    """The walk must get the replies it is meant to (a search that finds, a notice in full),
    or the figures would measure something else; prints each reply's first line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    shown = []
    for step, text in enumerate(WALK):
        target, body = signed_text("oWalkCheck", text, f"7{step}")
        head = f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode() + body)
        headers = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in headers.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        reply = (await reader.readexactly(length)).decode()
        content = reply.split("<Content><![CDATA[", 1)[-1].split("\n", 1)[0][:40]
        shown.append(f"{text} → {content}")
    writer.close()
    print("  replies: " + " | ".join(shown))


def load_openings(url: str, schema: str | None, var_dir: str) -> None:
    from core.demo import load_demo_openings
    from core.runtime import build_runtime
    from core.settings import Settings
    from core.storage.db import Database
    from core.timeutil import utcnow

    settings = Settings(
        _env_file=None,
        env="test",
        database_url=url,  # type: ignore[call-arg]
        secret_key="bench-" + "x" * 40,
        var_dir=var_dir,  # type: ignore[arg-type]
    )
    runtime = build_runtime(settings, db=Database(url, schema=schema))
    load_demo_openings(runtime.db, runtime.content, utcnow())
    runtime.close()


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench(kind: str, residents: int, clients: int, rounds: int, profile: str | None) -> None:
    with database(kind) as (url, schema), tempfile.TemporaryDirectory() as var_dir:
        load_openings(url, schema, var_dir)
        jp, bp = free_port(), free_port()
        with (
            running(serve_jobbot, url, schema, jp, var_dir) as jpid,
            running(serve_bare, bp) as bpid,
        ):
            await wait_ready(jp)
            await wait_ready(bp)
            await check_replies(jp)
            await walk(jp, 50, 10, "10", None)  # warm-up: connections, caches, plans
            await flat(bp, 400, 10, bpid)
            # One resident at a time: each step's latency is then its own cost on the server.
            alone = await walk(jp, 30, 1, "20", jpid)
            spy = start_profile(profile, jpid)
            bare, ours, steps = [], [], []
            for r in range(rounds):
                bare.append(await flat(bp, residents * len(WALK), clients, bpid))
                walked = await walk(jp, residents, clients, f"3{r}", jpid)
                ours.append(walked.result)
                steps.append(walked.per_step)
            stop_profile(spy, profile)
        print(f"{kind}:")
        report("bare", pooled(bare), None)
        report("jobbot", pooled(ours), pooled(bare))
        b_cpu, j_cpu = pooled(bare).cpu_ms, pooled(ours).cpu_ms
        if b_cpu and j_cpu:
            # On a busy machine req/s of either server swings; CPU per request holds.
            print(f"  by server CPU per request: {100 * b_cpu / j_cpu:.1f} % of the bare endpoint")
        print(f"  per step: p50 alone (= its cost), p50 / p99 with {clients} at once")
        for i, (name, text) in enumerate(zip(STEP_NAMES, WALK, strict=True)):
            loaded = [x for s in steps for x in s[i]]
            print(
                f"    {i + 1}. {text:<4} {name:<8} {ms(alone.per_step[i], 0.5):6.1f} ms   "
                f"{ms(loaded, 0.5):6.1f} / {ms(loaded, 0.99):6.1f} ms"
            )
        mean_alone = statistics.fmean(x for s in alone.per_step for x in s) * 1000
        print(
            f"  mean of all steps alone {mean_alone:.1f} ms (wall; a busy machine's pauses count)"
        )


def start_profile(path: str | None, pid: int) -> subprocess.Popen[bytes] | None:
    if path is None:
        return None
    spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    if not os.path.exists(spy):
        print("py-spy not installed (pip install py-spy); not profiling")
        return None
    return subprocess.Popen(
        [spy, "record", "-p", str(pid), "-o", f"{path}.txt", "-f", "raw", "-r", "250"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profile(spy: subprocess.Popen[bytes] | None, path: str | None) -> None:
    if spy is None:
        return
    spy.send_signal(2)  # SIGINT: py-spy writes what it has
    spy.wait(30)
    print(f"profile (collapsed stacks): {path}.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--profile", help="py-spy the jobbot server into PATH.txt")
    args = parser.parse_args()
    if args.pin and (os.cpu_count() or 1) > 1:
        SERVER_CPU[0] = 0
        os.sched_setaffinity(0, {(os.cpu_count() or 1) - 1})
    where = "servers on core 0, client on the last core" if SERVER_CPU[0] == 0 else "unpinned"
    print(f"{machine()}; {where}")
    print(
        f"{args.rounds} alternating rounds; {args.residents} residents, {args.clients} at once, "
        f"each: {' → '.join(WALK)} ({len(WALK)} messages); bare gets as many requests"
    )
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        if kind == "postgresql" and not pg_reachable():
            print("postgresql: not reachable (set JOBBOT_BENCH_PG); skipped")
            continue
        asyncio.run(bench(kind, args.residents, args.clients, args.rounds, args.profile))


if __name__ == "__main__":
    main()
