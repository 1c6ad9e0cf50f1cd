"""A real PostgreSQL 15 cluster for the tests (kiosk/hub/scratch.py); a machine without PostgreSQL skips them."""

from __future__ import annotations

from kiosk.errors import KioskError
from kiosk.hub import scratch
from kiosk.hub.scratch import DATABASE, OWNER, OWNER_PASSWORD, SUPERUSER, free_port
from tests.real_parts import missing

__all__ = ["DATABASE", "OWNER", "OWNER_PASSWORD", "SUPERUSER", "PgCluster", "free_port"]


class PgCluster(scratch.PgCluster):
    """The scratch cluster; a missing PostgreSQL is a skip with its reason (or a failure where real parts are required)."""

    def __init__(self) -> None:
        try:
            super().__init__()
        except KioskError as exc:
            missing("PostgreSQL's initdb and pg_ctl", str(exc))
            raise
