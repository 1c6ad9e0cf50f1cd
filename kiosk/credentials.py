"""Signed local cards and priority passes (Ed25519, compact enough for a small QR).

The printed text is ``SC1/C/VENUE/ID/YYYYMMDD/DOSE/SIG`` for a card and
``SC1/P/VENUE/ID/YYYYMMDD/SIG`` for a pass: only QR alphanumeric characters, no NIK,
the signature (base32, no padding) covering everything before the last slash.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from kiosk.errors import ConfigError
from kiosk.i18n import N_, _
from kiosk.identity import CREDENTIAL_PREFIX, SignedCredential, Unrecognised, parse_payload

# Crockford's alphabet: no I, L, O, U, so a short id read aloud or retyped survives.
SHORT_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class Verdict(Enum):
    """What verifying a scanned card or pass found."""

    VALID = "valid"
    FORGED = "forged"
    UNKNOWN_VENUE = N_("unknown venue")
    MALFORMED = N_("not a Sentra card or pass")


@dataclass
class VenueKeys:
    """The venue's own signing key plus the public keys of venues whose cards we accept."""

    venue: str
    private_key: Ed25519PrivateKey
    trusted: dict[str, Ed25519PublicKey] = field(default_factory=dict)

    def public_for(self, venue: str) -> Ed25519PublicKey | None:
        """The key that must have signed a credential from ``venue``, if we know it."""
        if venue == self.venue:
            return self.private_key.public_key()
        return self.trusted.get(venue)


def new_short_id(length: int = 8) -> str:
    """A random, human-readable id such as ``7F3K9QAB`` (40 bits at the default length)."""
    return "".join(secrets.choice(SHORT_ID_ALPHABET) for _ in range(length))


def format_short_id(short_id: str) -> str:
    """Group a short id for print and speech: ``7F3K-9QAB``."""
    return f"{short_id[:4]}-{short_id[4:]}" if len(short_id) == 8 else short_id


def sign_card(keys: VenueKeys, card_id: str, day: dt.date, dose: int) -> str:
    """The signed QR text for a local vaccination card."""
    return _sign(keys, f"{CREDENTIAL_PREFIX}/C/{keys.venue}/{card_id}/{day:%Y%m%d}/{dose}")


def sign_pass(keys: VenueKeys, pass_id: str, valid_on: dt.date) -> str:
    """The signed QR text for a priority pass valid on ``valid_on``."""
    return _sign(keys, f"{CREDENTIAL_PREFIX}/P/{keys.venue}/{pass_id}/{valid_on:%Y%m%d}")


def _sign(keys: VenueKeys, text: str) -> str:
    signature = keys.private_key.sign(text.encode("ascii"))
    return text + "/" + base64.b32encode(signature).decode("ascii").rstrip("=")


def verify(keys: VenueKeys, payload: str | bytes | SignedCredential) -> tuple[Verdict, SignedCredential | None]:
    """Check a scanned card or pass against the venue keys; never raises."""
    credential = payload if isinstance(payload, SignedCredential) else parse_payload(payload)
    if not isinstance(credential, SignedCredential):
        return Verdict.MALFORMED, None
    public = keys.public_for(credential.venue)
    if public is None:
        return Verdict.UNKNOWN_VENUE, credential
    try:
        padded = credential.signature + "=" * (-len(credential.signature) % 8)
        public.verify(base64.b32decode(padded), credential.signed_text.encode("ascii"))
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        return Verdict.FORGED, credential
    return Verdict.VALID, credential


def load_or_create_venue_key(path: Path) -> Ed25519PrivateKey:
    """Read the venue's signing key, creating it (mode 0600, never overwritten) on first run."""
    if not path.exists():
        _create_key_file(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        raise ConfigError(_("venue key {path} cannot be read ({exc}); restore it from backup", path=path, exc=exc)) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(_("venue key {path} is not an Ed25519 key", path=path))
    return key


def _create_key_file(path: Path) -> None:
    """Write a new key beside ``path``, then link it into place: a full disk leaves no empty key behind."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(_("the data folder {parent} cannot be made: {strerror}", parent=path.parent, strerror=exc.strerror)) from None
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(partial, path)  # never overwrites: two stations starting at once keep the first key
    except FileExistsError:
        pass
    except OSError as exc:
        raise ConfigError(_("the venue key cannot be written to {path}: {strerror}; free space or fix the "
                            "folder's permissions, then start again", path=path, strerror=exc.strerror)) from None
    finally:
        partial.unlink(missing_ok=True)


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The raw public key in base64, as another venue puts it in its trusted list."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def public_key_from_text(venue: str, text: str) -> Ed25519PublicKey:
    """Parse a trusted venue's public key from config, naming the venue when it is bad."""
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError as exc:
        raise ConfigError(_("trusted_venues.{venue}: not a base64 Ed25519 public key", venue=venue)) from exc


__all__ = ["Unrecognised", "Verdict", "VenueKeys", "sign_card", "sign_pass", "verify"]
