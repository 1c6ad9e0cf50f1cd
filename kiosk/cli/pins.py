"""`kiosk pin hash` and `kiosk pin set`: PINs go into the config hashed, typed at a prompt, never on a command line."""

from __future__ import annotations

import argparse
import getpass
import os

from kiosk.config import load_settings
from kiosk.errors import ConfigError, KioskError
from kiosk.i18n import _


def pin_hash(pin: str | None) -> int:
    from kiosk.pins import hash_pin

    pin = pin or getpass.getpass("PIN: ")
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise KioskError(_("a PIN is 4-12 digits"))
    print(hash_pin(pin))
    return 0


def pin_set(args: argparse.Namespace) -> int:
    """Prompt twice for ``args.name``'s PIN and write its hash into the config's ``[[pins.people]]``.

    The file is edited in place with its comments kept (tomlkit), through a temporary file renamed over
    it, then loaded again: a config the station would refuse is never left behind.
    """
    import tomlkit

    from kiosk.config import config_path
    from kiosk.pins import hash_pin

    path = config_path(args.config)
    name = args.name.strip()
    if not name or not name.isprintable() or len(name) > 40:
        raise KioskError(_("a name is 1-40 printable characters"))
    shared = name in ("staff", "technician")
    if shared:
        args.role = name
    elif args.role is None:
        raise KioskError(_("give {name}'s role: --role staff or --role technician", name=name))
    first = getpass.getpass(_("new PIN for {name} ({role}): ", name=name, role=args.role))
    if not first.isdigit() or not 4 <= len(first) <= 12:
        raise KioskError(_("a PIN is 4-12 digits: nothing changed"))
    if getpass.getpass(_("again: ")) != first:
        raise KioskError(_("the two PINs differ: nothing changed"))
    original = path.read_text(encoding="utf-8")
    doc = tomlkit.parse(original)
    pins = doc.setdefault("pins", tomlkit.table())
    if shared:
        pins[name] = hash_pin(first)
    else:
        people = pins.setdefault("people", tomlkit.aot())
        entry = next((p for p in people if str(p.get("name", "")).casefold() == name.casefold()), None)
        if entry is None:
            entry = tomlkit.table()
            entry["name"] = name
            people.append(entry)
        entry["role"] = args.role
        entry["hash"] = hash_pin(first)
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(tomlkit.dumps(doc), encoding="utf-8")
    before = path.stat()
    os.chmod(temporary, before.st_mode & 0o777)
    if os.geteuid() == 0:  # root:sentra 0640 stays root:sentra 0640
        os.chown(temporary, before.st_uid, before.st_gid)
    try:
        load_settings(temporary)
    except ConfigError:
        temporary.unlink()
        raise
    os.replace(temporary, path)
    if shared:
        print(_("the shared {name} PIN is changed", name=name))
    else:
        print(_("{name} ({role}) has their own PIN now; the audit names them when they unlock", name=name, role=args.role))
    return 0
