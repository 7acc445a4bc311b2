"""Private Postgres and Redis servers for tests and benchmarks: free ports, temporary folders.

Both are the real Debian binaries (``postgresql``, ``redis-server``), started as
child processes and stopped at the end; nothing is shared with a system
instance. Postgres refuses to run as root, so under root it runs as the
``postgres`` user (``nobody`` when that user does not exist) in a folder owned by
it. When a binary is missing the tests that need it are skipped, with the
reason, unless ``PLANREVIEW_REQUIRE_SERVICES=1`` (what ``.ci/run`` sets): then
they fail, so CI cannot pass without running them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REQUIRE_ENV = "PLANREVIEW_REQUIRE_SERVICES"
REPO_ROOT = Path(__file__).resolve().parents[1]


def required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str) -> None:
    """Skip (on a developer machine) or fail (in CI) for a missing service."""
    if required():
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 says the service tests must run")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# ------------------------------------------------------------------------------ Postgres


def postgres_bin() -> Path | None:
    """The folder with initdb and postgres: the newest /usr/lib/postgresql/*/bin, else PATH."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


@dataclass
class Postgres:
    port: int
    folder: Path
    proc: subprocess.Popen[bytes]
    user: str = "planreview"
    _count: int = field(default=0, repr=False)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        import psycopg

        self._count += 1
        name = f"{prefix}_{os.getpid()}_{self._count}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def log(self) -> str:
        try:
            return (self.folder / "postgres.log").read_text("utf-8", "replace")
        except OSError:
            return ""


def _run_as() -> dict[str, object]:
    """Popen arguments that drop root (postgres will not run as root)."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


@contextlib.contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A private Postgres on a free loopback port, trust auth, fsync off (test data only)."""
    bindir = postgres_bin()
    if bindir is None or not (bindir / "initdb").exists():
        unavailable("Postgres is not installed (Debian: apt-get install postgresql)")
        raise AssertionError("unreachable")
    as_user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="planreview-pg-"))
    if as_user:
        os.chown(folder, int(as_user["user"]), int(as_user["group"]))  # type: ignore[call-overload]
    data = folder / "data"
    sockets = folder / "sock"
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    try:
        subprocess.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "planreview",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            env=env,
            cwd=folder,
            **as_user,  # type: ignore[arg-type]
        )
        sockets.mkdir()
        port = free_port()
        log = (folder / "postgres.log").open("wb")
        if as_user:
            for path in (sockets, folder / "postgres.log"):
                os.chown(path, int(as_user["user"]), int(as_user["group"]))  # type: ignore[call-overload]
        proc = subprocess.Popen(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(sockets),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=folder,
            **as_user,  # type: ignore[arg-type]
        )
        server = Postgres(port, folder, proc)
        _wait_for_postgres(server)
        try:
            yield server
        finally:
            _stop(proc, signal.SIGINT)  # fast shutdown
            log.close()
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"initdb failed: {exc.stderr.decode('utf-8', 'replace')}") from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_for_postgres(server: Postgres, timeout: float = 60) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"postgres exited with {server.proc.returncode}:\n{server.log()}")
        try:
            with psycopg.connect(
                f"host=127.0.0.1 port={server.port} user={server.user} dbname=postgres",
                connect_timeout=2,
            ):
                return
        except psycopg.OperationalError:
            time.sleep(0.1)
    _stop(server.proc, signal.SIGKILL)
    raise RuntimeError(f"postgres did not accept connections within {timeout} s:\n{server.log()}")


# ------------------------------------------------------------------------------ Redis


@dataclass
class Redis:
    port: int
    folder: Path
    proc: subprocess.Popen[bytes]

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@contextlib.contextmanager
def redis_server() -> Iterator[Redis]:
    """A private redis-server on a free loopback port, no persistence."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed (Debian: apt-get install redis-server)")
        raise AssertionError("unreachable")
    folder = Path(tempfile.mkdtemp(prefix="planreview-redis-"))
    port = free_port()
    log = (folder / "redis.log").open("wb")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--daemonize",
            "no",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {proc.returncode}: "
                    + (folder / "redis.log").read_text("utf-8", "replace")
                )
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not answer PING within 30 s")
            time.sleep(0.05)
        yield Redis(port, folder, proc)
    finally:
        _stop(proc)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


# ------------------------------------------------------------------------------ planreview worker


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace")

    def children(self) -> set[int]:
        out: set[int] = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.proc.pid:
                out.add(int(stat.parent.name))
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_worker(tmp: Path, name: str, env: dict[str, str], concurrency: int = 1) -> Worker:
    log_path = tmp / f"worker-{name}.log"
    data = tmp / f"data-{name}"
    data.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "service",
                "worker",
                "--concurrency",
                str(concurrency),
                "--name",
                f"{name}@%h",
                "--log-level",
                "info",
            ],
            cwd=REPO_ROOT,
            env={**os.environ, "PLANREVIEW_DATA_DIR": str(data), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    worker = Worker(proc, log_path)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"worker {name} exited {proc.returncode}:\n{worker.log()}")
        if " ready." in worker.log():
            return worker
        time.sleep(0.2)
    worker.stop()
    raise AssertionError(f"worker {name} did not get ready:\n{worker.log()}")
