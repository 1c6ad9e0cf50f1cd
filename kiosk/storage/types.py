"""Column types shared by the tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.types import DateTime, TypeDecorator

from kiosk.i18n import _


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores instants as naive UTC and gives them back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Refuse naive datetimes: a time without a zone is a bug waiting for the next DST."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(_("naive datetime given to a UTC column"))
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        """Attach UTC to what the database returns."""
        return value.replace(tzinfo=dt.UTC) if value is not None else None
