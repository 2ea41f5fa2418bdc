"""A throwaway PostgreSQL server for the gateway's tests: a fresh cluster in a temporary folder,
on a free loopback port, run as the `postgres` user when we are root (initdb refuses root).
The server programs come from Debian's packages (scripts/setup_postgres.sh installs them)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

from cli.stack import free_port

SETUP_SCRIPT = "scripts/setup_postgres.sh"


class PostgresMissing(RuntimeError):
    pass


def server_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresMissing(f"the PostgreSQL server is not installed: run bash {SETUP_SCRIPT}")
    return Path(found[-1]).parent


class PostgresServer:
    def __init__(self) -> None:
        self.bin = server_bin()
        self.base = Path(tempfile.mkdtemp(prefix="storyreel-pg-"))
        self.port = free_port()
        self.user = "storyreel"
        self._as: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *argv: str) -> None:
        result = subprocess.run([*self._as, *argv], capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {result.stderr[-2000:]}{self._log_tail()}")

    def _log_tail(self) -> str:
        log = self.base / "server.log"
        return "\n" + log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def start(self) -> PostgresServer:
        data = self.base / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "--auth=trust", f"--username={self.user}",
                  "--encoding=UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.base / "server.log"), "-w", "-t", "60",
                  "-o", options, "start")
        return self

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a name we made: nothing to inject
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{name}"
