"""One exception tree for the domain core; each surface maps it once (CLI: message + exit 1, web: 4xx)."""

from __future__ import annotations


class HeritageError(Exception):
    """Base of every error a user can cause or must act on; the message names the input and reason."""

    status = 400


class ConfigurationError(HeritageError):
    """A setting is missing, malformed or points at something unusable (data dir, database, Redis)."""


class NotFound(HeritageError):
    """The thing asked for does not exist (or the asker may not know it exists)."""

    status = 404


class BadRequest(HeritageError):
    """A request or argument is malformed."""

    status = 400


class Forbidden(HeritageError):
    """The thing exists and the asker knows it, but may not do this."""

    status = 403


class InvalidInput(HeritageError):
    """A file or record handed to the system is not acceptable; nothing was stored."""
