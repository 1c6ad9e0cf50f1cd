"""A change to the station's configuration is an audit row: which keys changed, never their values.

At each start of the station app, every setting is fingerprinted (a hash per key, secrets included
but never written) and compared with the fingerprints the last ``config.changed`` row recorded. When
they differ, a new row names the keys that changed ("quota.stock, pins.staff"), so an auditor sees
that the cap or a PIN was changed and when, without the audit carrying a PIN hash or a token.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import col, select

from kiosk.audit import append
from kiosk.bootstrap import Station
from kiosk.i18n import _
from kiosk.storage.tables import AuditEntry

ACTION = "config.changed"


def fingerprints(settings: Any) -> dict[str, str]:
    """Each setting's dotted key and a short hash of its value (secrets are hashed like the rest, never shown)."""
    data = settings.model_dump(mode="json")
    for section, key in (("sync", "token"), ("sync", "client_secret")):
        secret = getattr(getattr(settings, section), key)
        data[section][key] = secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret
    flat: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(f"{prefix}.{name}" if prefix else name, inner)
        else:
            flat[prefix] = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:16]

    walk("", data)
    return flat


def record_config_change(station: Station, actor: str = "system") -> str | None:
    """Append a ``config.changed`` row when the settings differ from the last recorded; the keys changed, or None."""
    ctx = station.ctx
    now = fingerprints(station.settings)
    with ctx.db.write() as session:
        last = session.exec(select(AuditEntry).where(AuditEntry.action == ACTION)
                            .order_by(col(AuditEntry.seq).desc()).limit(1)).first()
        before: dict[str, str] = json.loads(last.detail.split("\n", 1)[1]) if last is not None and "\n" in last.detail else {}
        if before == now:
            return None
        changed = sorted(k for k in now.keys() | before.keys() if now.get(k) != before.get(k))
        summary = _("first start") if not before else ", ".join(changed)
        append(session, ctx.station_id, actor, ACTION, None, f"{summary}\n{json.dumps(now, sort_keys=True)}", ctx.clock.now())
        return summary
