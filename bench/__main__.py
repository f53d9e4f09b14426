"""Run every bench_*.py in its own process (so peak memory is its own), once on SQLite and, when BENCH_PG_URL is
set, once more on PostgreSQL (BENCH_DATABASE tells the module which; see bench/common.py), and pass its lines
through. A module that measures no database says ``DATABASE_FREE = True`` and runs once.

``python -m bench fanout summary`` runs only the modules whose names hold one of those words.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def databases() -> list[str]:
    """SQLite always; PostgreSQL too when BENCH_PG_URL names a throwaway database."""
    return ["sqlite", "postgresql"] if os.environ.get("BENCH_PG_URL") else ["sqlite"]


def database_free(path: Path) -> bool:
    """Whether the module says ``DATABASE_FREE = True`` (read from its source, so nothing is imported here)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "DATABASE_FREE" for t in node.targets):
            return ast.literal_eval(node.value) is True
    return False


def main(words: list[str]) -> int:
    failed = 0
    for path in sorted(HERE.glob("bench_*.py")):
        if words and not any(word in path.stem for word in words):
            continue
        free = database_free(path)
        for database in databases()[:1] if free else databases():
            run = f"bench: {path.stem}" + ("" if free else f" on {database}")
            print(run, file=sys.stderr, flush=True)
            result = subprocess.run([sys.executable, "-m", f"bench.{path.stem}"], cwd=HERE.parent,
                                    env={**os.environ, "BENCH_DATABASE": database})
            if result.returncode:
                failed += 1
                print(f"{run} failed ({result.returncode})", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
