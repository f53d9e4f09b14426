"""`make bench` prints CONTRACT.md's lines and nothing else, each naming the database it measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.common import driver_sql, report

ROOT = Path(__file__).resolve().parent.parent
FIELDS = {"bench", "n", "seconds", "baseline_seconds", "ratio", "peak_rss_mb", "database"}


def test_a_bench_run_prints_only_json_lines_with_the_contract_fields():
    done = subprocess.run([sys.executable, "-m", "bench", "extract"], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "APP_ENV": "testing"}, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["bench"] for line in lines] == ["extract_directives"]
    assert FIELDS <= set(lines[0]) and lines[0]["database"] is None and lines[0]["n"] >= 20


def test_a_line_on_postgresql_says_so_in_its_name_and_database(monkeypatch, capsys):
    monkeypatch.setenv("BENCH_DATABASE", "postgresql")
    monkeypatch.setenv("BENCH_PG_URL", "postgresql://bench@127.0.0.1/throwaway")
    report("fanout_publish", 3321, 0.5, 0.25)
    line = json.loads(capsys.readouterr().out)
    assert (line["bench"], line["database"], line["ratio"]) == ("fanout_publish_postgresql", "postgresql", 2.0)
    assert driver_sql("SELECT ?int, ?date FROM t WHERE a = :a AND b LIKE 'x%'") == (
        "SELECT %s::INTEGER, %s::DATE FROM t WHERE a = %(a)s AND b LIKE 'x%%'")


def test_a_line_on_sqlite_by_default(monkeypatch, capsys):
    monkeypatch.delenv("BENCH_DATABASE", raising=False)
    report("sweep_1m", 10, 1.0, 1.0)
    assert json.loads(capsys.readouterr().out)["bench"] == "sweep_1m_sqlite"
    assert driver_sql("SELECT ?int, ?date FROM t WHERE a = :a") == "SELECT ?, ? FROM t WHERE a = :a"
