"""Run every bench_*.py in its own process (so peak memory is its own) and pass its lines through."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    failed = 0
    for path in sorted(HERE.glob("bench_*.py")):
        result = subprocess.run([sys.executable, "-m", f"bench.{path.stem}"], cwd=HERE.parent)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
