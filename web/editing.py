"""The staff's cataloguing pages: edit a record, add records, see its history and revert, withdraw it.

Every change goes through the one editing service (`heritage.editing`), which checks who may, validates,
records the revision and the event; these views only read the form, call it, commit and re-index. Who may:
`heritage.access.may_edit` (archivists and collection managers their own unit's items, administrators all).
The public is sent to sign in, readers get 403, and an item the viewer may not see is 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from heritage import editing
from heritage.access import Viewer, may_edit, may_edit_in
from heritage.catalogue import get_item
from heritage.editing import Saved, StaleVersion, masterplan_facts
from heritage.errors import BadRequest, Forbidden, HeritageError, NotFound
from heritage.models import Collection, Item
from metadata_schemas.said import Said
from web import edit_form
from web.context import acting_viewer, runtime, session
from web.i18n import current_language, label, labels_table

bp = Blueprint("editing", __name__)
REASON_MAX = 2000
T = TypeVar("T", Saved, list[Saved])
NEW_RECORD = {"access": "public"}  # what the form of a new record starts with (the service's default too)


def field_label(spec: Any) -> str:
    return str(spec.label(current_language()))


def field_help(spec: Any) -> str:
    return str(spec.help_in(current_language()))


def field_choices(spec: Any) -> list[tuple[str, str]]:
    """The values of a choice field (or an agent's roles) with their names in the page's language."""
    lang = current_language()
    return [(choice.value, choice.label(lang)) for choice in spec.choices]


def vocabulary_label(kind: str, code: str, fallback: str | None = None) -> str:
    """A vocabulary value's name in the page's language (labels.csv), else the policy's own name, else the code."""
    return label(kind, code) if f"{kind}.{code}" in labels_table() else (fallback or code)


def _all_specs() -> dict[str, Any]:
    """Every field and masterplan fact by name (to name a field in a message or the history)."""
    return {spec.name: spec for spec in (*editing.editable_fields(), *masterplan_facts.fact_fields())}


# The labels.csv kind of each part or value of a masterplan fact (criterion.historic, score.3, flag.legal_hold).
FACT_VOCABULARY = {
    "masterplan.significance": "criterion",
    "masterplan.modifiers": "modifier",
    "masterplan.material": "material",
    "masterplan.light_category": "light_category",
    "masterplan.flags": "flag",
    "masterplan.hazards": "hazard",
    "masterplan.dates": "trigger",
    "masterplan.size": "size_unit",
}


def fact_words(name: str, value: Any) -> str:
    """A masterplan fact in words, for the history and a conflict: `Historic value: High; ...`."""
    kind = FACT_VOCABULARY.get(name)
    if isinstance(value, Mapping):
        shown = []
        for part, v in value.items():
            if name == "masterplan.significance":
                v = label("score", str(masterplan_facts.SCORES.get(v, v)))
            elif name == "masterplan.modifiers":
                v = vocabulary_label("modifier_level", str(v))
            shown.append(f"{vocabulary_label(kind, part) if kind else part}: {edit_form.plain(v)}")
        return "; ".join(shown)
    if isinstance(value, list | tuple):
        return "; ".join(vocabulary_label(kind, str(v)) if kind else str(v) for v in value)
    if value is None:
        return ""
    return vocabulary_label(kind, str(value)) if kind else str(value)


@bp.app_context_processor
def _form_helpers() -> dict[str, Any]:
    return {
        "field_label": field_label,
        "in_words": in_words,
        "field_help": field_help,
        "field_choices": field_choices,
        "part_label": lambda _kind, part: label("edit_part", part),
        "input_id": edit_form.input_id,
        "shown_rows": edit_form.shown_rows,
        "shown_text": edit_form.shown_text,
        "shown_value": edit_form.shown_value,
        "vocabulary_label": vocabulary_label,
        "fact_words": fact_words,
        "plain": edit_form.plain,
    }


def editor() -> Viewer:
    """The signed-in viewer (with a token's scopes); the public is sent to the sign-in form first."""
    who = acting_viewer()
    if not who.signed_in:
        abort(redirect(url_for("auth.login_form", next=request.full_path.rstrip("?"))))
    return who


def editable_item(item_id: str, *, withdrawn: bool = False) -> Item:
    """The item, if this editor may change it (and, unless `withdrawn`, it is not a tombstone).

    Raises:
        NotFound: no such item, or one the editor may not see.
        Forbidden: the editor sees it but may not change it.
        BadRequest: it is withdrawn.
    """
    who = editor()
    try:
        item = editing.editable_item(session(), item_id, who)  # the service's own check of who may
    except Forbidden:
        raise Forbidden(
            _("You may not change this record: it belongs to another unit, or your role only reads.")
        ) from None
    if item.withdrawn_at is not None and not withdrawn:
        raise BadRequest(_("This record is withdrawn: a tombstone is not changed any more (its history stays)."))
    return item


def in_words(message: str | Said | Exception, specs: Mapping[str, Any] | None = None) -> str:
    """A service message in the page's language: its template translated, a field named by its label.

    The service says what went wrong as a template with its values (`heritage.errors.bad`); a message without one
    (an older kind) is shown as it is, its leading field name (`closed_until: ...`) turned into the label.
    """
    specs = specs if specs is not None else _all_specs()
    said = message if isinstance(message, Said) else getattr(message, "said", None)
    if said is not None:

        def value(key: str, v: object) -> str:
            spec = specs.get(v) if key == "field" and isinstance(v, str) else None
            return field_label(spec) if spec is not None else str(v)

        return said.translated(_, value)
    text = str(message)
    name, sep, rest = text.partition(": ")
    spec = specs.get(name) if sep else None
    return f"{field_label(spec)}: {rest}" if spec is not None else text


def agent_name(who: Viewer) -> str:
    return who.username or ""


def reason_of(form: Mapping[str, Any]) -> str | None:
    return (str(form.get("reason") or "")).strip()[:REASON_MAX] or None


def version_of(form: Mapping[str, Any]) -> int | None:
    """The version the form was based on (hidden field); a form without one is refused, not guessed."""
    raw = str(form.get("version") or "").strip()
    if not raw.isdigit():
        raise BadRequest(_("The form has no version of the record: load the edit page again."))
    return int(raw)


def save(change: Callable[[], T]) -> T:
    """Run a service call (one save, or a sheet's several) in the request's session, commit it and re-index
    what it touched. On any error nothing is kept (the session rolls back) and the error goes up."""
    db = session()
    try:
        saved = change()
        db.commit()
    except BaseException:
        db.rollback()
        raise
    editing.reindex(runtime(), saved)
    return saved


def flash_saved(saved: Saved) -> None:
    if saved.revision is None:
        flash(_("Nothing changed: the record was not saved again."), "status")
    else:
        flash(_("Saved as revision %(number)s.", number=saved.revision), "status")
    specs = _all_specs()
    for warning in saved.warnings:
        flash(in_words(warning, specs), "warning")


def _title(item: Item) -> str:
    return item.title_en if current_language() == "en" and item.title_en else item.title


def _specs(item: Item | None = None, domain: str | None = None) -> list[Any]:
    return list(editing.editable_fields(item, domain=domain) if item is None else editing.editable_fields(item))


def _form_page(
    template: str,
    *,
    specs: list[Any],
    values: Mapping[str, Any],
    status: int = 200,
    error: HeritageError | None = None,
    **context: Any,
) -> Any:
    """The edit (or new record) form with these values; an error is shown at its field when it names one."""
    field = getattr(error, "field", None) if error is not None else None
    named = {s.name: s for s in specs} | {s.name: s for s in context.get("facts") or []}
    return (
        render_template(
            template,
            groups=edit_form.grouped(specs),
            values=values,
            error=in_words(error, named) if error is not None else None,
            error_field=field if field in named else None,
            **context,
        ),
        status,
    )


def _masterplan(item: Item) -> dict[str, Any]:
    """What the edit page's masterplan panel offers (the policy in force for the item) and the item's decision now."""
    from heritage.policy.service import active_override, effective_decision
    from web.masterplan_labels import explained

    choices = masterplan_facts.item_choices(session(), item)
    code, row = effective_decision(session(), item.id)
    override = active_override(session(), item.id)
    why = explained(row) if row is not None else None
    if override is not None:
        why = _("Overridden by %(agent)s: %(reason)s", agent=override.agent, reason=override.reason)
    from heritage.policy.facts import effective_attributes

    own = set((item.attributes or {}).get("flags") or [])
    inherited = [vocabulary_label("flag", f) for f in effective_attributes(item).get("flags") or [] if f not in own]
    return {
        "facts": masterplan_facts.fact_fields(),
        "choices": choices,
        "inherited_flags": inherited,
        "scores": [
            (word, label("score", str(n))) for word, n in sorted(masterplan_facts.SCORES.items(), key=lambda s: -s[1])
        ],
        "decision": {"code": code, "label": label("decision", code), "why": why} if code else None,
    }


@bp.get("/items/<item_id>/edit")
def edit_form_page(item_id: str) -> Any:
    """The form of every field of the record, grouped, with the record's version."""
    item = editable_item(item_id)
    return _form_page(
        "editing/edit.html",
        specs=_specs(item),
        values=editing.values_of(item),
        item=item,
        title=_title(item),
        version=item.version,
        reason="",
        **_masterplan(item),
    )


@bp.post("/items/<item_id>/edit")
def edit(item_id: str) -> Any:
    """Save the changed fields as one revision; a stale version shows both versions side by side (409)."""
    item = editable_item(item_id)
    who = editor()
    specs = _specs(item)
    facts = masterplan_facts.fact_fields()
    typed = edit_form.values_from_form([*specs, *facts], request.form)
    reason = reason_of(request.form)
    page = {"item": item, "title": _title(item), "reason": reason or "", **_masterplan(item)}
    try:
        base = version_of(request.form)
        current = editing.values_of(item)
        changed = edit_form.changed_values([*specs, *facts], typed, current)
        saved = save(
            lambda: editing.update_item(
                session(), item.id, changed, viewer=who, agent=agent_name(who), base_version=base, reason=reason
            )
        )
    except StaleVersion as exc:
        theirs = exc.theirs
        differ = [
            s
            for s in [*specs, *facts]
            if edit_form.normalised(s.kind, typed.get(s.name)) != edit_form.normalised(s.kind, theirs.get(s.name))
        ]
        return _form_page(
            "editing/edit.html",
            specs=specs,
            values=typed,
            status=409,
            conflict={"theirs": theirs, "fields": differ},
            version=exc.current,
            **page,
        )
    except BadRequest as exc:
        return _form_page(
            "editing/edit.html",
            specs=specs,
            values=typed,
            status=400,
            error=exc,
            version=request.form.get("version"),
            **page,
        )
    flash_saved(saved)
    return redirect(url_for("editing.edit_form_page", item_id=item.id), code=303)


def _collection_or_404(slug: str) -> Collection:
    found = session().scalar(select(Collection).where(Collection.slug == slug)) if len(slug) <= 64 else None
    if found is None:
        raise NotFound(f"collection {slug!r} does not exist")
    return found


def _check_may_create_in(collection: Collection) -> Viewer:
    who = editor()
    if not may_edit_in(who, collection.unit_id):
        raise Forbidden(
            _("You may not add records to this collection: it belongs to another unit, or your role only reads.")
        )
    return who


def _new_page(
    *,
    parent: Item | None,
    collection: Collection,
    values: Mapping[str, Any],
    status: int = 200,
    error: HeritageError | None = None,
    reason: str = "",
) -> Any:
    lang = current_language()
    collection_title = collection.title_en if lang == "en" and collection.title_en else collection.title
    return _form_page(
        "editing/new.html",
        specs=_specs(domain=collection.domain),
        values=values,
        status=status,
        error=error,
        parent=parent,
        collection=collection,
        heading=_("New part of %(title)s", title=_title(parent))
        if parent is not None
        else _("New record in %(collection)s", collection=collection_title),
        reason=reason,
    )


def _create(parent: Item | None, collection: Collection, who: Viewer) -> Any:
    specs = _specs(domain=collection.domain)
    typed = edit_form.values_from_form(specs, request.form)
    reason = reason_of(request.form)
    values = {k: v for k, v in typed.items() if edit_form.normalised(_kind(specs, k), v) not in (None, [], "")}
    try:
        saved = save(
            lambda: editing.create_item(
                session(),
                parent_id=parent.id if parent is not None else None,
                collection=None if parent is not None else collection.slug,
                values=values,
                viewer=who,
                agent=agent_name(who),
                reason=reason,
            )
        )
    except BadRequest as exc:
        return _new_page(parent=parent, collection=collection, values=typed, status=400, error=exc, reason=reason or "")
    flash(_("The new record was created."), "status")
    specs = {spec.name: spec for spec in editing.editable_fields()}
    for warning in saved.warnings:
        flash(in_words(warning, specs), "warning")
    return redirect(url_for("editing.edit_form_page", item_id=saved.item_id), code=303)


def _kind(specs: list[Any], name: str) -> str:
    return next((s.kind for s in specs if s.name == name), "text")


@bp.get("/items/<item_id>/children/new")
def new_child_form(item_id: str) -> Any:
    """The form of a new record under this one."""
    parent = editable_item(item_id)
    return _new_page(parent=parent, collection=parent.collection, values=NEW_RECORD)


@bp.post("/items/<item_id>/children/new")
def new_child(item_id: str) -> Any:
    """Create a record under this one (last of its children)."""
    parent = editable_item(item_id)
    return _create(parent, parent.collection, editor())


@bp.get("/collections/<slug>/new")
def new_in_collection_form(slug: str) -> Any:
    """The form of a new top-level record of a collection."""
    collection = _collection_or_404(slug)
    _check_may_create_in(collection)
    return _new_page(parent=None, collection=collection, values=NEW_RECORD)


@bp.post("/collections/<slug>/new")
def new_in_collection(slug: str) -> Any:
    """Create a top-level record in a collection."""
    collection = _collection_or_404(slug)
    return _create(None, collection, _check_may_create_in(collection))


def _pages_text(pages: Any) -> str:
    """Pages in their order as their file names, each with its label: `a.jpg (recto); b.jpg`."""
    if not isinstance(pages, list):
        return edit_form.any_value(pages)
    shown = []
    for page in pages:
        if isinstance(page, Mapping):
            name, page_label = page.get("name") or page.get("file"), page.get("label")
            shown.append(f"{name} ({page_label})" if page_label else str(name))
    return "; ".join(shown)


def change_row(change: Any, specs: Mapping[str, Any]) -> dict[str, str]:
    """One field's change as the history table shows it: its label, before and after in words."""
    if isinstance(change, Mapping):
        name, before, after = str(change.get("field")), change.get("before"), change.get("after")
    else:
        name, before, after = change.field, change.before, change.after
    spec = specs.get(name)
    if masterplan_facts.is_fact(name):
        spec = spec or _all_specs().get(name)  # a sheet's preview names the fields of fields.toml only
    if masterplan_facts.is_fact(name) and spec is not None:
        return {"label": field_label(spec), "before": fact_words(name, before), "after": fact_words(name, after)}
    if name == "pages":
        return {"label": label("history_field", name), "before": _pages_text(before), "after": _pages_text(after)}
    if spec is None:
        return {
            "label": label("history_field", name),
            "before": edit_form.any_value(before),
            "after": edit_form.any_value(after),
        }
    return {
        "label": field_label(spec),
        "before": edit_form.shown_value(spec.kind, before),
        "after": edit_form.shown_value(spec.kind, after),
    }


HISTORY_PAGE = 50  # revisions a history page shows


def _before() -> int | None:
    """The `before` of a history page's address (revisions numbered below it). Raises: BadRequest: not a number."""
    raw = request.args.get("before")
    if raw is None:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 2**31:
        raise BadRequest(_("before=%(value)s is not a revision number.", value=raw[:40]))
    return int(raw)


def _history_page(item: Item, status: int = 200, error: str | None = None) -> Any:
    who = editor()
    specs = _all_specs()
    before = _before()
    found = editing.history(session(), item.id, viewer=who, before=before, limit=HISTORY_PAGE + 1)
    revisions = [
        {
            "number": r.number,
            "kind": r.kind,
            "by": r.by,
            "at": format_datetime(r.at, "medium"),
            "reason": r.reason,
            "changes": [change_row(c, specs) for c in r.changes],
        }
        for r in found[:HISTORY_PAGE]
    ]
    return (
        render_template(
            "editing/history.html",
            item=item,
            title=_title(item),
            revisions=revisions,
            newest=editing.latest_revision(session(), item.id),
            older=revisions[-1]["number"] if len(found) > HISTORY_PAGE else None,
            paged=before is not None,
            error=error,
            may_edit=may_edit(who, item),
        ),
        status,
    )


@bp.get("/items/<item_id>/history")
def history(item_id: str) -> Any:
    """Every revision of the record, newest first: who, when, why, each field before and after."""
    editor()
    return _history_page(get_item(session(), item_id))  # the service says who may read it (404, 403)


@bp.post("/items/<item_id>/revert")
def revert(item_id: str) -> Any:
    """Bring the record back to how it was after one revision (a new revision; the history stays)."""
    item = editable_item(item_id)
    who = editor()
    raw = str(request.form.get("revision") or "")
    if not raw.isdigit():
        raise BadRequest(_("Choose the revision to go back to."))
    try:
        base = version_of(request.form)
        saved = save(
            lambda: editing.revert(
                session(),
                item.id,
                int(raw),
                viewer=who,
                agent=agent_name(who),
                base_version=base,
                reason=reason_of(request.form),
            )
        )
    except StaleVersion:
        message = _(
            "Someone else changed the record since this page was loaded: look at the history again before reverting."
        )
        return _history_page(item, 409, message)
    flash_saved(saved)
    return redirect(url_for("editing.history", item_id=item.id), code=303)


@bp.get("/items/<item_id>/withdraw")
def withdraw_form(item_id: str) -> Any:
    """Ask for the reason and a confirmation before withdrawing the record."""
    item = editable_item(item_id, withdrawn=True)
    return render_template("editing/withdraw.html", item=item, title=_title(item), error=None, reason="")


@bp.post("/items/<item_id>/withdraw")
def withdraw(item_id: str) -> Any:
    """Withdraw the record: it becomes a tombstone (410 for the public); no file is deleted."""
    item = editable_item(item_id)
    who = editor()
    reason = reason_of(request.form)
    try:
        if not reason:
            raise BadRequest(_("Give the reason for withdrawing the record."))
        if request.form.get("confirm") != "yes":
            raise BadRequest(_("Confirm that the record is to be withdrawn."))
        base = version_of(request.form)
        save(
            lambda: editing.withdraw_item(
                session(), item.id, viewer=who, agent=agent_name(who), base_version=base, reason=reason
            )
        )
    except StaleVersion:
        message = _(
            "The record was changed by someone else since this page was loaded: look at it again before withdrawing it."
        )
        body = render_template(
            "editing/withdraw.html", item=item, title=_title(item), error=message, reason=reason or ""
        )
        return body, 409
    except BadRequest as exc:
        body = render_template(
            "editing/withdraw.html", item=item, title=_title(item), error=in_words(exc), reason=reason or ""
        )
        return body, 400
    flash(_("The record was withdrawn."), "status")
    return redirect(url_for("editing.history", item_id=item.id), code=303)
