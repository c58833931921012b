"""One exception tree for the domain core; each surface maps it once (CLI: message + exit 1, web: 4xx)."""

from __future__ import annotations

from dataclasses import dataclass

from metadata_schemas.said import Said


@dataclass(frozen=True)
class Input:
    """An input a message names (a value of its `Said`), by the service's name for it (`checked_on`, `items`).

    In English it is written as the CLI's option (`flag`, "--date"): the text the CLI and the API have always
    given. A web page names it by its form's label instead, where there is no option to type.
    """

    name: str
    flag: str

    def __str__(self) -> str:
        return self.flag


class HeritageError(Exception):
    """Base of every error a user can cause or must act on; the message names the input and reason."""

    status = 400


class ConfigurationError(HeritageError):
    """A setting is missing, malformed or points at something unusable (data dir, database, Redis)."""


class NotFound(HeritageError):
    """The thing asked for does not exist (or the asker may not know it exists)."""

    status = 404


class BadRequest(HeritageError):
    """A request or argument is malformed; `field` names the edited field at fault, where there is one, and
    `said` is the message as a template with its values (see `bad`), for pages in other languages."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None, said: Said | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.said = said


def bad(template: str, *, field: str | Input | None = None, **params: object) -> BadRequest:
    """A BadRequest whose message is `template` filled in (the field's name is `%(field)s`); a web page says
    it in its reader's language. Templates are extracted for translation (babel.cfg)."""
    message = Said(template, {"field": field, **params} if field is not None else params)
    return BadRequest(str(message), field=field.name if isinstance(field, Input) else field, said=message)


class Conflict(BadRequest):
    """A valid request the thing's present state does not allow (a name in use, a step out of order): 409."""

    status = 409


def conflict(template: str, **params: object) -> Conflict:
    """A Conflict whose message is `template` filled in, said in the reader's language on a page (as `bad`)."""
    message = Said(template, params)
    return Conflict(str(message), said=message)


class Forbidden(HeritageError):
    """The thing exists and the asker knows it, but may not do this."""

    status = 403


class InvalidInput(HeritageError):
    """A file or record handed to the system is not acceptable; nothing was stored."""


class StaleVersion(HeritageError):
    """A save based on an older version of the item than the current one: refused, nothing overwritten.

    `current` is the item's version now and `theirs` its values now (by field name), so a form can show
    both versions side by side and keep what the editor typed.
    """

    status = 412

    def __init__(self, message: str, *, current: int, theirs: dict[str, object]) -> None:
        super().__init__(message)
        self.current = current
        self.theirs = theirs
