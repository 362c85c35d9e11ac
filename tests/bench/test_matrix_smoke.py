"""The benchmarks never rot: a seconds-long run of every measure of the matrix, of the push
pipeline and of the ceiling (bench/floor.py), against real servers (the figures are the
benchmarks' business, bench/README.md; here only that each was taken)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
MEASURES = [
    "socket chat, delivered",
    "REST send, 16 clients",
    "history page of 50, 16 clients",
    "idle delivery, REST on A -> socket on B",
    "group of 5, one message on every socket",
    "connect storm, 20 sockets to one instance",
]


def test_every_measure_of_the_matrix_runs_and_prints_a_figure():
    done = subprocess.run(
        [sys.executable, "bench/matrix.py", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=240
    )

    assert done.returncode == 0, done.stderr[-3000:]
    table = {
        line.split(" | ")[0].strip(): line.split(" | ")[1]
        for line in done.stdout.splitlines()
        if " | " in line
    }
    for measure in MEASURES:
        assert re.search(r"\d", table[measure]), (measure, table.get(measure))


def test_the_ceiling_benchmark_measures_every_server():
    done = subprocess.run(
        [sys.executable, "bench/floor.py", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=240
    )

    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    rows = {line.split(" | ")[0].strip("| "): line for line in lines}
    for server in ("bare", "stack", "product"):
        assert re.search(r"[\d,]+ msg/s.*\| [\d,]+/s.*\| [\d,]+ connects/s", rows[server]), done.stdout


@pytest.mark.nats
def test_the_push_pipeline_benchmark_runs_and_every_push_arrives():
    done = subprocess.run(
        [sys.executable, "bench/push_pipeline.py", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )

    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])  # 0: every push arrived
    assert re.search(r"send -> push: p50 [\d.]+ s, p99 [\d.]+ s", done.stdout), done.stdout
