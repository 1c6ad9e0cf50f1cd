"""Fixtures of the venue hub tests: one real PostgreSQL cluster per test module, a fresh hub database per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from kiosk.domain.quota import QuotaPlan
from kiosk.hub import admin
from tests.pg import DATABASE, OWNER, PgCluster

TODAY = dt.date(2021, 8, 9)
STATION_PASSWORD = "station-password-1"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    pg = PgCluster().start()
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def hub(cluster: PgCluster) -> Iterator[PgCluster]:
    """A hub database at the newest schema (as the owner role), empty of plan and stations."""
    cluster.sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    cluster.sql(f"CREATE DATABASE {DATABASE} OWNER {OWNER}")
    cluster.sql(f"REVOKE ALL ON DATABASE {DATABASE} FROM PUBLIC")
    admin.upgrade(cluster.url())
    yield cluster


def plan(stock: int = 5000, days: int = 1, first: dt.date = TODAY, carry: bool = True, walkin: float = 0.0) -> QuotaPlan:
    return QuotaPlan(stock=stock, first_day=first, last_day=first + dt.timedelta(days=days - 1), carry_forward=carry,
                     walkin_share=walkin)
