"""Reading the edit form (web.edit_form): any input gives a value (never an error: the service judges), and a
form shown from stored values reads back as no change (an untouched field is never saved as an edit)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from heritage.editing import editable_fields
from web import edit_form

SPECS = editable_fields()
line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).map(str.strip)
optional = st.one_of(st.none(), line.filter(bool))
row_values = {
    "agents": st.lists(
        st.fixed_dictionaries({"name": line.filter(bool), "role": optional, "id": optional}), max_size=3
    ),
    "terms": st.lists(st.fixed_dictionaries({"label": line.filter(bool), "id": optional}), max_size=3),
}


def _shown_form(values: dict[str, Any]) -> MultiDict:
    """The form a browser sends back for these values, untouched (what the templates render)."""
    form: MultiDict = MultiDict()
    for spec in SPECS:
        value = values.get(spec.name)
        if spec.kind in ("agents", "terms"):
            for n, row in enumerate(edit_form.shown_rows(spec.kind, value)):
                for part, text in row.items():
                    form.add(f"{spec.name}-{n}-{part}", text)
        elif spec.kind == "taxon":
            for part in edit_form.TAXON_PARTS:
                form.add(f"{spec.name}-{part}", (value or {}).get(part) or "")
        else:
            form.add(spec.name, edit_form.shown_text(spec.kind, value))
    return form


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*(s.name for s in SPECS), "agents-0-name", "taxon-rank", "x-1-y"]), st.text(max_size=40)
        ),
        max_size=12,
    )
)
def test_any_form_reads_as_values(pairs: list[tuple[str, str]]) -> None:
    values = edit_form.values_from_form(SPECS, MultiDict(pairs))
    assert set(values) == {spec.name for spec in SPECS}
    for spec in SPECS:
        assert edit_form.normalised(spec.kind, values[spec.name]) == edit_form.normalised(
            spec.kind, edit_form.normalised(spec.kind, values[spec.name])
        )


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "title": line,
            "identifiers": st.lists(line, max_size=3),
            "dates": st.lists(line, max_size=3),
            "agents": row_values["agents"],
            "subjects": row_values["terms"],
            "taxon": st.one_of(
                st.none(), st.fixed_dictionaries({"scientific_name": line.filter(bool), "rank": optional})
            ),
            "descriptions.nl": st.one_of(st.none(), st.text(max_size=60)),
            "closed_until": st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())),
        }
    )
)
def test_a_form_shown_and_sent_back_untouched_changes_nothing(values: dict[str, Any]) -> None:
    typed = edit_form.values_from_form(SPECS, _shown_form(values))
    assert edit_form.changed_values(SPECS, typed, values) == {}
