"""A day given to a museum service (a form's field, a CLI option, a JSON value), read one way by each of them."""

from __future__ import annotations

from datetime import date

from heritage.errors import Input, bad


def day(value: date | str | None, what: Input, *, empty_is_today: bool = False) -> date:
    """`value` as a day (YYYY-MM-DD); an empty value is today where the service says so (a check, an entry).

    Raises: BadRequest: not a date, named by its input.
    """
    if isinstance(value, date):
        return value
    if empty_is_today and (value is None or value == ""):
        return date.today()
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise bad("%(field)s %(value)s is not a date (YYYY-MM-DD)", field=what, value=repr(value)) from None
