"""A full classroom at once: 30 browser sessions step EM against one server (a script).

    .venv/bin/python benchmarks/load_classroom.py [--sessions 30] [--steps 20]

Bounded on purpose: loopback only (the server listens on 127.0.0.1), at most
:data:`MAX_SESSIONS` sessions and :data:`MAX_STEPS` steps each, every wait has a timeout,
and sessions still running after :data:`DEADLINE_S` seconds are cancelled and reported.
It starts and stops its own servers.

What it does: one Debian Chromium (Playwright, async API), one browser context per
student, all driven concurrently (``asyncio``; student i joins ``i * RAMP_S`` s late).
Each student opens the app (the default teaching preset), sets tol = 0 (so 20 steps
exist) and presses Step 20 times;
after every press it waits until the status line says exactly its own next iteration, so a
session that saw another's state (a position jumping ahead or back) counts as an error.

It runs twice, each time on a fresh server with an empty cache: 1 student, then N students.
Reported: errors (must be 0), median and 95th-percentile step latency (click -> status line
updated), the server's peak memory (VmHWM) and its CPU seconds (utime + stime from
/proc/PID/stat) for 1 vs N sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from playwright.async_api import async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import (
    APP,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    proc_cpu_s,
    proc_status_mb,
    start_server,
    stop_server,
)

MAX_SESSIONS = 30
MAX_STEPS = 20
DEADLINE_S = 900  # both phases together; sessions still running then count as errors
RAMP_S = 0.5  # student i starts i * RAMP_S seconds after the first
WAIT_MS = 180_000  # one wait; 30 sessions on 2 cores queue behind each other
STATUS = '[data-testid="stMarkdownContainer"] p'


async def wait_for_app(page, start_ms: float = 1000) -> None:
    await page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]',
                                 state="attached", timeout=WAIT_MS)
    if start_ms:
        try:
            await page.wait_for_selector(f'{APP}:not([data-test-script-state="notRunning"])',
                                         state="attached", timeout=start_ms)
        except Exception:  # the rerun ended before we looked, or none started
            pass
    await page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]',
                                 state="attached", timeout=WAIT_MS)


async def wait_status(page, text: str) -> None:
    await page.locator(STATUS, has_text=text).first.wait_for(state="visible", timeout=WAIT_MS)


async def student(browser, url: str, steps: int, latencies: list[float],
                  errors: list[str], who: int) -> None:
    await asyncio.sleep(RAMP_S * who)  # students arrive over a few seconds, not in one tick
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    try:
        await page.goto(url, timeout=WAIT_MS)
        await wait_for_app(page, start_ms=0)
        await wait_status(page, "Iteration 0 ·")
        thumb = page.get_by_test_id("stSlider").filter(has_text="tol").get_by_role("slider")
        await thumb.focus()
        await thumb.press("Home")  # tol = 0: run every iteration, so 20 steps exist
        await wait_for_app(page)
        await wait_status(page, "Iteration 0 ·")
        step = page.get_by_role("button", name="Step", exact=True)
        for i in range(1, steps + 1):
            t = time.perf_counter()
            await step.click(timeout=WAIT_MS)
            await wait_status(page, f"Iteration {i} · M-step")
            await wait_for_app(page, start_ms=0)
            latencies.append(time.perf_counter() - t)
        if await page.locator('[data-testid="stException"]').count():
            errors.append(f"session {who}: exception shown")
        status = await page.locator(STATUS, has_text="Iteration").first.inner_text()
        if f"Iteration {steps} · M-step" not in status:
            errors.append(f"session {who}: ended on {status!r}")
    except Exception as exc:  # a timeout or a wrong state: count it, keep the others going
        errors.append(f"session {who}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        await context.close()


async def classroom(n: int, steps: int, budget_s: float) -> dict:
    log = ROOT / "artifacts" / f"load-classroom-{n}.log"
    log.parent.mkdir(exist_ok=True)
    proc, url = start_server(log)
    cpu0 = proc_cpu_s(proc.pid)
    latencies: list[float] = []
    errors: list[str] = []
    t = time.perf_counter()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tasks = [asyncio.create_task(student(browser, url, steps, latencies, errors, i))
                     for i in range(n)]
            _, pending = await asyncio.wait(tasks, timeout=budget_s)
            for task in pending:  # over budget: stop them, and count each as an error
                task.cancel()
                errors.append(f"a session was still running after {budget_s:.0f} s")
            await asyncio.gather(*pending, return_exceptions=True)
            await browser.close()
        return {
            "sessions": n, "errors": errors, "latencies": latencies,
            "wall_s": time.perf_counter() - t,
            "cpu_s": proc_cpu_s(proc.pid) - cpu0,
            "peak_mb": proc_status_mb(proc.pid, "VmHWM"),
        }
    finally:
        stop_server(proc)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] \
        if len(values) > 1 else values[0]


async def main_async(sessions: int, steps: int) -> None:
    start = time.monotonic()
    runs = [await classroom(1, steps, budget_s=DEADLINE_S / 3)]
    runs.append(await classroom(sessions, steps, DEADLINE_S - (time.monotonic() - start)))
    print(f"\n| {'sessions':>8} | {'errors':>6} | {'steps':>5} | {'p50 step s':>10} | "
          f"{'p95 step s':>10} | {'wall s':>6} | {'server CPU s':>12} | {'peak MB':>7} |")
    print("|" + "|".join("-" * w for w in (10, 8, 7, 12, 12, 8, 14, 9)) + "|")
    for r in runs:
        lat = r["latencies"]
        print(f"| {r['sessions']:>8} | {len(r['errors']):>6} | {len(lat):>5} | "
              f"{pct(lat, 50):>10.2f} | {pct(lat, 95):>10.2f} | {r['wall_s']:>6.0f} | "
              f"{r['cpu_s']:>12.1f} | {r['peak_mb']:>7.0f} |")
    one, many = runs
    print(f"\nServer CPU for {many['sessions']} sessions = {many['cpu_s'] / one['cpu_s']:.1f}x "
          f"one session ({many['cpu_s'] / many['sessions']:.2f} s per session vs "
          f"{one['cpu_s']:.2f} s alone).")
    for r in runs:
        for e in r["errors"][:10]:
            print("ERROR", e)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=MAX_SESSIONS)
    parser.add_argument("--steps", type=int, default=MAX_STEPS)
    args = parser.parse_args()
    sessions = max(1, min(args.sessions, MAX_SESSIONS))
    steps = max(1, min(args.steps, MAX_STEPS))
    asyncio.run(main_async(sessions, steps))  # each phase stops itself within its budget


if __name__ == "__main__":
    main()
