"""The staff's way in to cataloguing: the collections they may add records to, and the CSV update (upload a
sheet in the shape `heritage export --format csv` writes, see per row what would change, confirm).

The sheet is planned and applied by the backend's sheet module (`heritage.editing.sheet`), the same code as
`heritage catalogue update FILE`: this page only carries the uploaded text from the preview to the
confirmation, and a sheet with any error changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import gettext as _
from sqlalchemy import select

from heritage.access import may_edit_in
from heritage.errors import Forbidden
from heritage.models import Collection, Unit
from web.context import session
from web.editing import editor
from web.i18n import current_language

bp = Blueprint("cataloguing", __name__, url_prefix="/cataloguing")


def _collections() -> list[tuple[Collection, str]]:
    """The collections the editor may add records to, with their names in the page's language."""
    who = editor()
    if not who.is_staff:
        raise Forbidden(_("Cataloguing is for archivists, collection managers and administrators."))
    lang = current_language()
    rows = session().scalars(select(Collection).join(Unit).order_by(Unit.name, Collection.title))
    return [(c, c.title_en if lang == "en" and c.title_en else c.title) for c in rows if may_edit_in(who, c.unit_id)]


@bp.get("/")
def home() -> Any:
    """The collections to add records to, and the sheet upload."""
    return render_template("editing/cataloguing.html", collections=_collections())
