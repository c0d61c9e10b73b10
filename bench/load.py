"""Load generators on loopback: wrk (when installed) or a Python client in a separate process.

Both keep `concurrency` connections busy with the same POST for `duration` seconds and report requests/s and
latency percentiles. `python -m bench.load URL BODY_FILE CONCURRENCY DURATION` is the Python client.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("%s", "rb"))
wrk.body = f:read("*a")
f:close()
done = function(summary, latency, requests)
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "non2xx": %%d, "errors": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    failures: int
    p50_ms: float
    p99_ms: float
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def drive(url: str, body_file: Path, concurrency: int, duration: float, tool: str = "auto") -> LoadResult:
    if tool == "wrk" or (tool == "auto" and wrk_available()):
        return _wrk(url, body_file, concurrency, duration)
    return _python(url, body_file, concurrency, duration)


def _wrk(url: str, body_file: Path, concurrency: int, duration: float) -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % str(body_file))
    threads = min(concurrency, 2)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    data = json.loads(line[len("RESULT ") :])
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        failures=data["non2xx"] + data["errors"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        tool="wrk",
    )


def _python(url: str, body_file: Path, concurrency: int, duration: float) -> LoadResult:
    command = [sys.executable, "-m", "bench.load", url, str(body_file), str(concurrency), str(duration)]
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return LoadResult(tool="python", **data)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * (len(sorted_values) - 1))))
    return sorted_values[index]


def python_client(url: str, body: bytes, concurrency: int, duration: float) -> dict[str, float | int]:
    """Keep-alive connections in threads, each posting in a loop until the time is up."""
    parts = urlsplit(url)
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    start = time.perf_counter()
    stop = start + duration
    headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}

    def worker() -> None:
        nonlocal failures
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            connection.request("POST", parts.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - t0)
            bad += response.status != 200
        connection.close()
        with lock:
            latencies.extend(mine)
            failures += bad

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "failures": failures,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


if __name__ == "__main__":
    target, body_path, conc, secs = sys.argv[1:5]
    print(json.dumps(python_client(target, Path(body_path).read_bytes(), int(conc), float(secs))))
