"""Start an app under uvicorn (1 or N workers), wait until it answers, and read its workers' CPU time and memory."""

from __future__ import annotations

import compileall
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cds_service.web.http_limits import MAX_HEAD_BYTES

ROOT = Path(__file__).resolve().parent.parent
SERVICE_APP = "cds_service.app:create_app"
OWN_PACKAGES = ("cds_service", "hooks", "fhir_mappings", "bench")
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
IDLE_QUIET_SECONDS = 0.1
IDLE_TIMEOUT_SECONDS = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid: int) -> float:
    pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * PAGE / 1e6


def peak_rss_mb(pid: int) -> float:
    """The highest resident size the process has had since it started (VmHWM in /proc/<pid>/status): the reading
    after load is one moment of a call cycle, the peak is where the load took the worker."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


@dataclass
class Server:
    name: str
    app: str
    workers: int
    port: int
    process: subprocess.Popen[bytes]
    startup_s: float = 0.0
    env: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the uvicorn process itself with 1 worker, its children with more
        (multiprocessing may interpose a resource tracker: only children that are uvicorn workers count)."""
        if self.workers == 1:
            return [self.process.pid]
        pids = []
        for child in _children(self.process.pid):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"resource_tracker" not in cmdline:
                pids.append(child)
        return pids

    def cpu(self) -> float:
        return sum(cpu_seconds(p) for p in self.worker_pids())

    def wait_idle(self, quiet: float = IDLE_QUIET_SECONDS, timeout: float = IDLE_TIMEOUT_SECONDS) -> None:
        """Wait until the workers' CPU time stops growing: a load run that ends leaves the calls its clients sent
        last in the server (a large one costs 0.1 s each), and their CPU belongs to no later run."""
        deadline = time.perf_counter() + timeout
        last = self.cpu()
        while time.perf_counter() < deadline:
            time.sleep(quiet)
            now = self.cpu()
            if now - last < 1 / CLK_TCK:
                return
            last = now

    def rss_per_worker(self) -> list[float]:
        return [rss_mb(p) for p in self.worker_pids()]

    def peak_rss_per_worker(self) -> list[float]:
        return [peak_rss_mb(p) for p in self.worker_pids()]


def compile_own_packages() -> None:
    """Write the bytecode of this checkout's packages before an app starts, as an installed service has it (pip
    compiles at install). Under PYTHONDONTWRITEBYTECODE=1 (set in this shell and in the Docker image) a checkout
    has none: every worker then compiled the service's 73 modules from source at each start, about 420 M
    instructions (0.1-0.15 s), which the one-module floor never paid. Up-to-date files are only stat-ed."""
    for package in OWN_PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=0.5) as response:
            return bool(response.status < 500)
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, urllib.error.URLError):
        return False


@contextmanager
def running(
    name: str,
    app: str,
    workers: int,
    env: dict[str, str],
    log: Path,
    timeout: float = 30.0,
    python: Path | None = None,
) -> Iterator[Server]:
    """`uvicorn <app> --factory --workers N --http h11` on a free loopback port; start-up time is measured from spawn to
    the first answer, and (with several workers) until every worker has started. `python` is another environment's
    interpreter (the peer's), this checkout still on its path."""
    compile_own_packages()
    port = free_port()
    command = [
        str(python or sys.executable),
        "-m",
        "uvicorn",
        app,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        # the HTTP parser `peritoneal-cds serve` runs (h11, its head bounded as cds_service.web.http_limits sets)
        "--http",
        "h11",
        "--h11-max-incomplete-event-size",
        str(MAX_HEAD_BYTES),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(name, app, workers, port, process, env=env)
    try:
        deadline = started + timeout
        while not _ready(server.base + "/cds-services"):
            if process.poll() is not None or time.perf_counter() > deadline:
                raise RuntimeError(f"{name} did not start (see {log})")
            time.sleep(0.01)
        server.startup_s = time.perf_counter() - started
        while len(server.worker_pids()) < workers and time.perf_counter() < deadline:
            time.sleep(0.01)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
