"""Random tokens and their hashes; argon2id password hashes.

API keys, session tokens and the first-admin token are 256-bit (192 for the latter) random
strings from `secrets`; the catalog keeps only their SHA-256. A fast hash is enough there:
guessing a 2^256 (or 2^192) preimage is out of reach whatever the hash's speed, while a slow
hash (argon2) on every API request would cost tens of milliseconds of CPU each. Passwords are
chosen by people and guessable, so they get argon2id (argon2-cffi's RFC 9106 low-memory
profile), which makes each guess expensive.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ebrain.errors import InvalidInputError

KEY_PREFIX = "ebk"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_TOKEN = 200  # longer presented keys or tokens are refused without hashing


def digest(token: str) -> str:
    """The SHA-256 of a token, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe token of `nbytes` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def new_api_key() -> tuple[str, str]:
    """A fresh (key_id, raw key): the raw key is `ebk_<id>_<secret>`."""
    key_id = secrets.token_hex(6)
    return key_id, f"{KEY_PREFIX}_{key_id}_{new_token(32)}"


def key_id_of(raw: str) -> str | None:
    """The id inside a presented API key, or None when it does not look like one."""
    if not isinstance(raw, str) or len(raw) > MAX_TOKEN:
        return None
    prefix, _, rest = raw.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != KEY_PREFIX or len(key_id) != 12 or not secret:
        return None
    return key_id


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash(new_token(16))


def check_password_text(password: str) -> str:
    """`password` when its length is allowed, else InvalidInputError."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidInputError(
            f"a password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            hint="choose a longer passphrase",
        )
    return password


def hash_password(password: str) -> str:
    """The argon2id hash of an allowed password."""
    return _hasher().hash(check_password_text(password))


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches the stored hash. Without a stored hash it still runs one
    verification (against a dummy hash), so unknown users take about as long as known ones."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when a stored hash uses weaker parameters than today's."""
    try:
        return _hasher().check_needs_rehash(stored)
    except InvalidHashError:
        return False
