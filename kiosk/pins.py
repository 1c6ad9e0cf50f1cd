"""Staff and technician PINs, stored only as salted PBKDF2 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SCHEME = "pbkdf2_sha256"
_ITERATIONS = 200_000


def hash_pin(pin: str, iterations: int = _ITERATIONS) -> str:
    """A salted hash of ``pin`` for the config file: ``pbkdf2_sha256$ITER$SALT$HASH``."""
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), iterations).hex()
    return f"{_SCHEME}${iterations}${salt}${digest}"


def is_pin_hash(value: str) -> bool:
    """Whether ``value`` looks like a hash made by ``hash_pin``."""
    parts = value.split("$")
    return len(parts) == 4 and parts[0] == _SCHEME and parts[1].isdigit() and len(parts[3]) == 64


def check_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches the stored hash (constant-time comparison)."""
    if not is_pin_hash(stored):
        return False
    _, iterations, salt, digest = stored.split("$")
    candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)
