"""A message as its template and values, so that each surface can say it in its reader's language.

Domain code says what went wrong in English (`str(said)`: the CLI, the API, logs); a web page translates the
template with gettext and fills in the values, a `Said` value translated in turn. Templates are marked for
extraction by the functions that make them (`said`, `heritage.errors.bad`: see babel.cfg).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Said:
    template: str  # with %(name)s placeholders
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.template % {k: str(v) for k, v in self.params.items()}

    def translated(self, translate: Callable[[str], str], value: Callable[[str, object], str] | None = None) -> str:
        """In another language: the template through `translate`, the values through `value` (a Said value is
        translated too)."""
        shown = {
            k: v.translated(translate, value) if isinstance(v, Said) else (value(k, v) if value else str(v))
            for k, v in self.params.items()
        }
        return translate(self.template) % shown

    def as_json(self) -> dict[str, object]:
        """`{"template", "params"}` with the values as text (a Said value nested the same way), to be stored."""
        return {
            "template": self.template,
            "params": {k: v.as_json() if isinstance(v, Said) else str(v) for k, v in self.params.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Said:
        params = data.get("params") or {}
        assert isinstance(params, Mapping)
        return cls(
            str(data["template"]),
            {k: cls.from_json(v) if isinstance(v, Mapping) else v for k, v in params.items()},
        )


def said(template: str, **params: object) -> Said:
    return Said(template, params)
