"""Benchmark of the generated Python client (issue 19); prints one JSON line of raw samples.

    python bench.py SHAPES_JSON

Every figure is process CPU time (``time.process_time_ns``: this process only, all its
threads), so waiting for the machine's other processes does not count; wall time is kept
beside it. ``benchmarks/report.py`` turns the samples into medians and spreads.

decode: for each shape of SHAPES_JSON, ``decode_error`` (bytes and headers in, typed error
out) and ``json.loads`` of the same bytes, in alternating rounds (the order flips every
round), ns per call in each round. success: GETs through a plain ``httpx.Client`` and
through one with ``RetryTransport``, to a keep-alive server on loopback in another process
(its CPU is not counted); the two clients take turns request by request (the order flips
every pair, so both see the same load), 400 of each a round; CPU and wall ns of every
request. The cyclic garbage collector is off during the rounds
(and run between them): otherwise each collection lands on whichever request crossed the
allocation threshold, which with strict turns is the same side every time.
import_ms: ``import virtengine_errors`` in a fresh interpreter (the fastest of several,
bytecode cached).
"""

from __future__ import annotations

import functools
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DECODE_ROUNDS = 31
DECODE_ROUND_NS = 20_000_000  # CPU time one side of a decode round aims at
SUCCESS_ROUNDS = 31
PAIRS_PER_ROUND = 400  # a bare and a retrying request each, the order flipping every pair
WARM_UP_PAIRS = 500


def cpu_ns_per_call(operation: Callable[[], object], count: int) -> float:
    started = time.process_time_ns()
    for _ in range(count):
        operation()
    return (time.process_time_ns() - started) / count


def calibrate(operation: Callable[[], object]) -> int:
    """Calls of ``operation`` that take about DECODE_ROUND_NS of CPU (after a warm-up)."""
    count = 100
    while True:
        spent = cpu_ns_per_call(operation, count) * count
        if spent >= DECODE_ROUND_NS / 4:
            return max(100, int(count * DECODE_ROUND_NS / spent))
        count *= 4


def alternate(
    first: Callable[[], float], second: Callable[[], float], rounds: int
) -> tuple[list[float], list[float]]:
    """Each side once per round, the order flipped every round."""
    a: list[float] = []
    b: list[float] = []
    for round_number in range(rounds):
        if round_number % 2 == 0:
            a.append(first())
            b.append(second())
        else:
            b.append(second())
            a.append(first())
    return a, b


def decode_samples(shapes_file: Path) -> list[dict[str, Any]]:
    from virtengine_errors import decode_error

    spec = json.loads(shapes_file.read_text(encoding="utf-8"))
    now = spec["now_ms"] / 1000
    results = []
    for shape in spec["shapes"]:
        status, headers = shape["status"], shape["headers"]
        body = shape["body"].encode()
        parse_body = shape.get("parse_body", shape["body"]).encode()
        json.loads(parse_body)  # the baseline must be valid JSON

        def decode(
            status: int = status, headers: dict[str, str] = headers, body: bytes = body
        ) -> object:
            return decode_error(status, headers, body, now=now)

        def parse(parse_body: bytes = parse_body) -> object:
            return json.loads(parse_body)

        decode_ns, parse_ns = alternate(
            functools.partial(cpu_ns_per_call, decode, calibrate(decode)),
            functools.partial(cpu_ns_per_call, parse, calibrate(parse)),
            DECODE_ROUNDS,
        )
        results.append(
            {
                "shape": shape["shape"],
                "decoded_as": type(decode()).__name__,
                "decode_ns": decode_ns,
                "parse_ns": parse_ns,
            }
        )
    return results


def import_ms(runs: int = 7) -> float:
    """Import time with bytecode cached, as an installed package has it."""
    probe = (
        "import time; t = time.perf_counter(); import virtengine_errors; "
        "print((time.perf_counter() - t) * 1000)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", probe], check=True, capture_output=True, text=True, env=env
            ).stdout
        )
        for _ in range(runs + 1)
    ]
    return min(times[1:])  # the first run may write the bytecode


class _Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: measure requests, not connection setup
    disable_nagle_algorithm = True  # headers and body leave at once, no delayed-ACK stall

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve() -> None:
    """The loopback server, run in its own process (``bench.py --serve``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def success_samples() -> dict[str, Any]:
    import httpx
    from virtengine_errors.transport import RetryTransport

    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = f"http://127.0.0.1:{int(process.stdout.readline())}/health"
        with httpx.Client() as bare, httpx.Client(transport=RetryTransport()) as retrying:

            def timed(client: httpx.Client) -> tuple[int, int]:
                """CPU and wall ns of one request."""
                wall, cpu = time.perf_counter_ns(), time.process_time_ns()
                response = client.get(url)
                cpu, wall = time.process_time_ns() - cpu, time.perf_counter_ns() - wall
                if response.status_code != 200:
                    raise RuntimeError(f"loopback server answered {response.status_code}")
                return cpu, wall

            for _ in range(WARM_UP_PAIRS):  # connections, code paths
                timed(bare)
                timed(retrying)
            rounds = []
            gc.disable()  # a collection would land on whichever side crossed the threshold
            for _ in range(SUCCESS_ROUNDS):
                gc.collect()
                samples: dict[str, list[int]] = {
                    "bare_cpu_ns": [],
                    "retry_cpu_ns": [],
                    "bare_wall_ns": [],
                    "retry_wall_ns": [],
                }
                for pair in range(PAIRS_PER_ROUND):
                    sides = [("bare", bare), ("retry", retrying)]
                    for side, client in sides if pair % 2 == 0 else sides[::-1]:
                        cpu, wall = timed(client)
                        samples[f"{side}_cpu_ns"].append(cpu)
                        samples[f"{side}_wall_ns"].append(wall)
                rounds.append(samples)
    finally:
        gc.enable()
        process.terminate()
        process.wait()
    return {"requests_per_round": PAIRS_PER_ROUND, "rounds": rounds}


def main() -> None:
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    if len(sys.argv) != 2:
        sys.exit("usage: bench.py SHAPES_JSON")
    result = {
        "language": "python",
        "runtime": f"{platform.python_implementation()} {platform.python_version()}",
        "decode": decode_samples(Path(sys.argv[1])),
        "success": success_samples(),
        "import_ms": round(import_ms(), 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
