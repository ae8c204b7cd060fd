"""``python -m ledgerbridge.sandbox [--seed demo|empty|netsuite2-sample] [--tls] [--port-base 8700]``.

The same as ``ledgerbridge sandbox up`` (the CLI calls :func:`ledgerbridge.sandbox.world.run_sandbox`);
exits 2 with a one-line message when the sandbox cannot start.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ._kit.ports import DEFAULT_PORT_BASE
from .world import SandboxStartError, run_sandbox


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ledgerbridge.sandbox", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--seed", choices=("demo", "empty", "netsuite2-sample"), default="demo")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a generated CA")
    parser.add_argument("--port-base", type=int, default=DEFAULT_PORT_BASE, help="shifts every port")
    parser.add_argument("--workdir", type=Path, default=Path.cwd(), help="where .ledgerbridge/ is written")
    args = parser.parse_args(argv)
    try:
        run_sandbox(seed=args.seed, tls=args.tls, port_base=args.port_base, workdir=args.workdir)
    except (SandboxStartError, ValueError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
