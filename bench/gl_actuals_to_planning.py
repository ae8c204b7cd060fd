"""Benchmark: ``gl-actuals-to-planning`` over a synthesized general ledger (default 1,000,000 GL lines).

The NetSuite (demo seed) and Pigment emulators run in this process; the flow runs in its own process, the
real CLI (``ledgerbridge run gl-actuals-to-planning --json``), so the engine's figures are its own:
``os.wait4`` returns the child's resource usage (user + system CPU seconds, peak RSS), untouched by the
emulators' work. Request counts come from the run's own summary.

Two runs are measured: the first load (every period) and an incremental run with nothing new.

    .venv/bin/python bench/gl_actuals_to_planning.py                   # 1,000,000 lines
    .venv/bin/python bench/gl_actuals_to_planning.py --gl-lines 100000 # quick

Writes bench/results/gl_actuals_to_planning.json and prints a short table. Measures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ledgerbridge.config.templates import render_sandbox
from ledgerbridge.sandbox.world import start_sandbox

RESULTS = Path(__file__).resolve().parent / "results" / "gl_actuals_to_planning.json"
FLOW = "gl-actuals-to-planning"
#: runs the CLI in the child and, at exit, records the child's OWN peak RSS (VmHWM of its post-exec memory):
#: ``ru_maxrss`` from wait4 keeps the forked bench process's pages (which hold the emulators' data)
_MEASURED_CLI = """
import atexit, sys
from pathlib import Path
_out = Path(sys.argv[1])
def _record():
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith('VmHWM:'):
            _out.write_text(line.split()[1])
atexit.register(_record)
from ledgerbridge.interfaces.cli.main import app
sys.argv = ['ledgerbridge', *sys.argv[2:]]
app()
"""


def run_flow(config: Path, workdir: Path, label: str) -> dict[str, Any]:
    """One CLI run in a child process; its summary plus the child's own CPU and peak memory."""
    out = workdir / f"{label}.json"
    hwm = workdir / f"{label}.vmhwm"
    with out.open("wb") as stdout, (workdir / f"{label}.log").open("wb") as stderr:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", _MEASURED_CLI, str(hwm), "--config", str(config), "run", FLOW, "--json"],
            cwd=workdir,
            stdout=stdout,
            stderr=stderr,
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    summary = json.loads(out.read_text(encoding="utf-8"))
    requests = summary.get("requests", {})
    return {
        "exit_status": os.waitstatus_to_exitcode(status),
        "wall_seconds": round(wall, 2),
        "engine_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        # VmHWM in KiB, of the engine process alone
        "engine_peak_rss_mib": round(int(hwm.read_text()) / 1024, 1) if hwm.exists() else None,
        "suiteql_requests": int(requests.get("netsuite", 0)),
        "pigment_requests": int(requests.get("pigment", 0)),
        "pigment_pushes": sum(int(v) for k, v in requests.items() if k.startswith("pigment:push:")),
        "counters": summary.get("counters"),
        "notes": summary.get("notes"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gl-lines", type=int, default=1_000_000, help="GL lines to synthesize")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lb-bench-gl-") as tmp:
        workdir = Path(tmp)
        with start_sandbox(
            seed="demo", port_base=None, workdir=workdir, systems=["netsuite", "pigment"]
        ) as sandbox:
            store = sandbox.handle("netsuite").store
            started = time.perf_counter()
            written = store.synthesize_gl(args.gl_lines, seed=7)
            synth_seconds = time.perf_counter() - started
            config = workdir / "ledgerbridge.yaml"
            config.write_text(render_sandbox(sandbox.info), encoding="utf-8")
            first = run_flow(config, workdir, "first")
            again = run_flow(config, workdir, "nothing-new")
    result = {
        "benchmark": "gl_actuals_to_planning",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "gl_lines_synthesized": written,
        "synthesize_seconds": round(synth_seconds, 1),
        "first_run": first,
        "incremental_nothing_new": again,
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"GL lines: {written:,} (synthesized in {synth_seconds:.1f} s)")
    for label, run in (("first run", first), ("nothing new", again)):
        print(
            f"{label:>12}: wall {run['wall_seconds']} s, engine CPU {run['engine_cpu_seconds']} s, "
            f"peak RSS {run['engine_peak_rss_mib']} MiB, SuiteQL {run['suiteql_requests']}, "
            f"Pigment requests {run['pigment_requests']}, pushes {run['pigment_pushes']}"
        )


if __name__ == "__main__":
    main()
