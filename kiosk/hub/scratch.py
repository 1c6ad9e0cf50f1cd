"""A scratch PostgreSQL cluster: ``initdb`` and ``pg_ctl`` in a temporary folder on 127.0.0.1.

Used by ``kiosk simulate`` (a venue's days replayed need a hub) and by the tests.

As root, the cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root). The hub
database is owned by a non-superuser owner role made the way the README tells a venue to make it,
so the tests see what a venue's stations and owner can and cannot do.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.i18n import _

SUPERUSER = "postgres"
OWNER, OWNER_PASSWORD, DATABASE = "sentra_owner", "owner-password-123", "sentra"


def _tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise KioskError(_("PostgreSQL's `{tool}` is not installed: apt-get install postgresql (Debian 12 brings "
                           "PostgreSQL 15), or give the hub's owner URL", tool=name))
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """One throwaway cluster; ``url()`` for the owner, ``url(role, password)`` for a station."""

    def __init__(self) -> None:
        self.initdb, self.pg_ctl = _tool("initdb"), _tool("pg_ctl")
        self.base = Path(tempfile.mkdtemp(prefix="sentra-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0

    def _run(self, *argv: str) -> None:
        cmd = ["runuser", "-u", "postgres", "--", *argv] if self._as_postgres else list(argv)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise KioskError(f"{' '.join(argv)}: {done.stderr or done.stdout}")

    def start(self) -> PgCluster:
        if self._as_postgres:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(self.initdb, "-D", str(self.data), "-U", SUPERUSER, "--auth-local=trust",
                  "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8")
        self._run(self.pg_ctl, "-D", str(self.data), "-l", str(self.base / "log"), "-w", "-t", "60", "start",
                  "-o", f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200 "
                        "-c fsync=on -c shared_buffers=64MB")
        self.sql(f"CREATE ROLE {OWNER} LOGIN CREATEROLE PASSWORD '{OWNER_PASSWORD}'")
        self.sql(f"CREATE DATABASE {DATABASE} OWNER {OWNER}")
        self.sql(f"REVOKE ALL ON DATABASE {DATABASE} FROM PUBLIC")
        return self

    def sql(self, statement: str, database: str = "postgres", check: bool = True) -> str:
        """Run SQL as the superuser over the local socket (set-up only; the code under test uses TCP)."""
        cmd = ["psql", "-h", str(self.base), "-p", str(self.port), "-U", SUPERUSER, "-d", database, "-At",
               "-v", "ON_ERROR_STOP=1", "-c", statement]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise KioskError(f"psql: {done.stderr}")
        return done.stdout.strip()

    def url(self, role: str = OWNER, password: str = OWNER_PASSWORD, port: int | None = None) -> str:
        return f"postgresql+psycopg://{role}:{password}@127.0.0.1:{port or self.port}/{DATABASE}"

    def fresh_database(self) -> str:
        """Drop and make the hub database again (owned by the owner role); its owner URL."""
        self.sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        self.sql(f"CREATE DATABASE {DATABASE} OWNER {OWNER}")
        self.sql(f"REVOKE ALL ON DATABASE {DATABASE} FROM PUBLIC")
        return self.url()

    def stop(self) -> None:
        try:
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
