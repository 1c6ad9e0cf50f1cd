"""Staff and technician PINs, stored only as salted PBKDF2 hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_SCHEME = "pbkdf2_sha256"
_ITERATIONS = 200_000


def hash_pin(pin: str, iterations: int = _ITERATIONS) -> str:
    """A salted hash of ``pin`` for the config file: ``pbkdf2_sha256$ITER$SALT$HASH``."""
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), iterations).hex()
    return f"{_SCHEME}${iterations}${salt}${digest}"


_HASH = re.compile(r"pbkdf2_sha256\$([0-9]{1,9})\$([0-9a-f]{32})\$([0-9a-f]{64})")
MIN_ITERATIONS = 1000  # fewer makes a 4-digit PIN fall at once to anyone who reads the config


def is_pin_hash(value: str) -> bool:
    """Whether ``value`` is a hash made by ``hash_pin`` (hex salt and digest, enough iterations)."""
    found = _HASH.fullmatch(value)
    return found is not None and int(found.group(1)) >= MIN_ITERATIONS


def check_pin(pin: str, stored: str) -> bool:
    """Whether ``pin`` matches the stored hash (constant-time comparison)."""
    if not is_pin_hash(stored):
        return False
    _, iterations, salt, digest = stored.split("$")
    candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)
