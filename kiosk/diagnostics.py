"""Station self-checks a technician runs: database, migrations, clock, key, queue health."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from kiosk.storage import migrate


@dataclass(frozen=True)
class Check:
    """One diagnostic line."""

    part: str
    ok: bool
    detail: str


def station_checks(station: object) -> list[Check]:
    """Checks that read only the station's own state (fast, local)."""
    ctx = station.ctx  # type: ignore[attr-defined]
    return [_database(ctx), _clock(ctx), _printing(station), _key(station)]


def _database(ctx: object) -> Check:
    engine = ctx.db.engine  # type: ignore[attr-defined]
    try:
        revision = migrate.current_revision(engine)
        with engine.connect() as conn:
            mode = conn.execute(text("PRAGMA journal_mode")).scalar() if engine.dialect.name == "sqlite" else "-"
    except Exception as exc:  # any driver error is a finding here, not a crash
        return Check("database", False, f"{engine.url.render_as_string(hide_password=True)}: {exc}")
    return Check("database", revision is not None,
                 f"{engine.url.render_as_string(hide_password=True)} rev {revision}, journal {mode}")


def _clock(ctx: object) -> Check:
    now = ctx.clock.now()  # type: ignore[attr-defined]
    local = ctx.clock.local(now)  # type: ignore[attr-defined]
    in_plan = ctx.plan.first_day <= local.date() <= ctx.plan.last_day  # type: ignore[attr-defined]
    detail = f"{local:%Y-%m-%d %H:%M %Z}; plan {ctx.plan.first_day}..{ctx.plan.last_day}"  # type: ignore[attr-defined]
    return Check("clock", in_plan, detail + ("" if in_plan else " — today is outside the dose plan"))


def _printing(station: object) -> Check:
    pending = station.printing.pending()  # type: ignore[attr-defined]
    failing = [job for job in pending if job.last_error]
    detail = f"{len(pending)} slip(s) waiting" + (f"; last error: {failing[0].last_error}" if failing else "")
    return Check("print queue", not failing, detail)


def _key(station: object) -> Check:
    path = station.settings.venue_key_path  # type: ignore[attr-defined]
    return Check("venue key", path.exists(), f"{path} ({station.ctx.keys.venue})")  # type: ignore[attr-defined]
