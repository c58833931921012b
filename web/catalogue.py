"""The researcher's catalogue pages: home, search results, record page, fonds tree, citations, sitemap."""

from __future__ import annotations

import json
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Blueprint, Response, abort, make_response, redirect, render_template, request, url_for
from jinja2.utils import htmlsafe_json_dumps
from sqlalchemy import select

from heritage import access_changes, authorities
from heritage.access import (
    PUBLIC,
    AccessFacts,
    Visibility,
    item_access,
    may_edit,
    tombstone_is_public,
    visibility,
)
from heritage.access_changes import note_staff_view
from heritage.auth import get_user
from heritage.authorities.unknown import is_unknown_agent
from heritage.catalogue import ancestors, core_of, get_item
from heritage.errors import BadRequest, NotFound
from heritage.models import Access, AccessRequest, Collection, Item, Unit, User
from heritage.rights import rights_statement
from heritage.search import HISTOGRAM_FACETS, MAX_RESULT_WINDOW, SearchQuery, SearchResult
from iiif import urls
from iiif.presentation import attribution, has_manifest, image_files
from metadata_schemas.core import CoreRecord
from metadata_schemas.tables import language_tag
from web import citation, jsonld
from web.context import acting_viewer, base_url, runtime, session, viewer, viewer_search_scope
from web.date_labels import date_label
from web.downloads import download_edge_for
from web.getting_around import archive_trees
from web.i18n import current_language
from web.page_cache import cached_for_the_public
from web.search_page import (
    FacetLabels,
    RecordLinks,
    SearchLinks,
    active_filters,
    facet_sections,
    histogram_bars,
    page_hits,
    text_links,
)
from web.search_params import search_query
from web.security import allow_inline_styles
from web.serialize import collections_json, hit_json

bp = Blueprint("catalogue", __name__)
TREE_PAGE = 50
SITEMAP_SIZE = 50_000


def visible_counts(facet: str = "collection") -> dict[str, int]:
    """Items per facet value that this viewer may find (from the index, so closed items never count)."""
    access, units = viewer_search_scope()
    result = runtime().index.search(SearchQuery(access=access, units=units, per_page=1, facet_limit=1000))
    return dict(result.facets.get(facet, []))


@bp.get("/")
@cached_for_the_public
def home() -> str:
    """Entry points per domain and collection, and one search box."""
    counts = visible_counts()
    collections = collections_json(session(), base_url(), counts)
    domains: dict[str, list[dict[str, Any]]] = {}
    for c in collections:
        domains.setdefault(c["domain"], []).append(c)
    domain_counts = visible_counts("domain")
    return render_template("home.html", domains=domains, domain_counts=domain_counts, trees=archive_trees(12))


def _histogram(result: SearchResult, query: SearchQuery) -> tuple[str, list[tuple[str, int]]]:
    """Centuries, or the decades of one century when the range or the selection stays within it."""
    centuries = result.facets.get("century", [])
    narrow = query.year_from is not None and query.year_to is not None and query.year_to - query.year_from <= 200
    if len(centuries) == 1 or narrow or query.filters.get("century"):
        return "decade", result.facets.get("decade", [])
    return "century", centuries


@bp.get("/search")
@cached_for_the_public
def search() -> tuple[str, int] | str:
    """Search results with facets; a query that cannot be read gets a helpful page (400)."""
    lang = current_language()
    try:
        query = search_query(request.args, viewer(), lang)
        result = runtime().index.search(query)
    except BadRequest as exc:
        return render_template("search.html", error=str(exc), result=None, hits=[], query=None), 400
    pages = max(1, -(-result.total // query.per_page))
    histogram_name, histogram = _histogram(result, query)
    links = SearchLinks(request.args)
    labels = FacetLabels(lang, _collection_titles(), _unit_names())
    base = base_url()
    records = RecordLinks(url_for("catalogue.record", item_id=""))
    return render_template(
        "search.html",
        error=None,
        result=result,
        hits=page_hits(text_links([hit_json(h, base) for h in result.hits], records, query.q), records, labels),
        query=query,
        pages=pages,
        past_end=query.page > pages and result.total > 0,
        window=format_decimal(MAX_RESULT_WINDOW, locale=lang),
        bars=histogram_bars(histogram_name, histogram, links, labels),
        active=active_filters(query.filters, links, labels),
        facets=facet_sections(result.facets, [n for n in result.facets if n not in HISTOGRAM_FACETS], links, labels),
        link=links.link,
    )


def _collection_titles() -> dict[str, str]:
    """Collection names in the reader's language, by slug (one query: the page needs no more of them)."""
    lang = current_language()
    rows = session().execute(select(Collection.slug, Collection.title, Collection.title_en).order_by(Collection.title))
    return {slug: (title_en if lang == "en" and title_en else title) for slug, title, title_en in rows}


def _unit_names() -> dict[str, str]:
    lang = current_language()
    return {u.slug: (u.name_en if lang == "en" and u.name_en else u.name) for u in session().scalars(select(Unit))}


def _visible_item(item_id: str) -> tuple[Item, Visibility]:
    item = get_item(session(), item_id)
    seen = visibility(viewer(), item)
    if seen == Visibility.NONE:
        raise NotFound(f"item {item_id!r} does not exist")
    return item, seen


def children_page(item_id: str, page: int) -> SearchResult:
    """One page of an item's children that this viewer may see, in archival order."""
    access, units = viewer_search_scope()
    query = SearchQuery(
        filters={"parent": [item_id]}, access=access, units=units, page=page, per_page=TREE_PAGE, sort="position"
    )
    return runtime().index.search(query)


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise BadRequest(f"page={raw!r} must be a whole number from 1")
    return int(raw)


def _tombstone(item_id: str) -> Any:
    """The 410 page of a withdrawn item, when the public saw it before (else the 404 of an unknown item);
    None when the item is not withdrawn or the viewer sees it anyway (its staff: the page says it is withdrawn)."""
    item = _item_or_none(item_id)
    if item is None or item.withdrawn_at is None or visibility(viewer(), item) > Visibility.NONE:
        return None
    if not tombstone_is_public(item):
        raise NotFound(f"item {item_id!r} does not exist")
    lang = current_language()
    body = render_template(
        "tombstone.html",
        item=item,
        title=item.title_en if lang == "en" and item.title_en else item.title,
        withdrawn_on=format_date(item.withdrawn_at, "long", locale=lang),
        reason=item.withdrawn_reason if item.access == Access.PUBLIC.value else None,
    )
    return make_response(body, 410)


@bp.get("/items/<item_id>")
def record(item_id: str) -> Any:
    """The record page: all metadata, the hierarchy, the images, citation, manifest and permalink."""
    gone = _tombstone(item_id)
    if gone is not None:
        return gone
    item, seen = _visible_item(item_id)
    note_staff_view(session(), viewer(), item, "the record page")
    base = base_url()
    lang = current_language()
    core = core_of(item)
    images = image_files(item) if seen >= Visibility.FULL else []
    manifest = urls.manifest(base, item.id) if images and has_manifest(item) else None
    permalink = urls.item_page(base, item.id)
    path = [a for a in ancestors(item) if visibility(viewer(), a) > Visibility.NONE]
    children = children_page(item.id, 1)
    title = core.title or item.title  # the title proper, in its own language, heads the page
    return render_template(
        "record.html",
        item=item,
        core=core,
        title=title,
        title_lang=title_language(core),
        description=core.description_in(lang),
        translated_titles=translated_titles(core, title, lang),
        crumbs=breadcrumb(item, path, lang),
        path=path,
        makers=[(a, is_unknown_agent(a.name)) for a in core.agents],
        rights=rights_statement(item.rights or item.collection.rights, lang),
        date_text=date_label(item.date_text, lang),
        children=[{**c, "date": date_label(c["date"], lang)} for c in (hit_json(h, base) for h in children.hits)],
        children_total=children.total,
        images=images,
        image_base=[urls.image_service(base, f.id) for f in images],
        manifest=manifest,
        restricted=seen == Visibility.METADATA,
        permalink=permalink,
        citation_text=citation.text(item, core, permalink, lang),
        # <, > and & as \u escapes: no text of a record can close the script element or open a comment in it
        jsonld=htmlsafe_json_dumps(jsonld.item(item, core, base, manifest, images), ensure_ascii=False),
        access=item_access(item).value,
        held_back=item.held_back,
        request_state=_request_state(item) if seen == Visibility.METADATA else None,
        download_edge=download_edge_for(item),
        may_edit=may_edit(acting_viewer(), item),
        authority_links=authorities.service.links_of(session(), item.id),
    )


def title_language(core: CoreRecord) -> str | None:
    """The language of the title proper: the language its record tags it with, else the record's one language;
    none for a specimen's scientific name (a sheet that repeats it as the English title does not make it English)."""
    if core.taxon and core.taxon.scientific_name and core.taxon.scientific_name in core.title:
        return None
    tagged = [lang for lang, t in core.titles.items() if t == core.title]
    if tagged:
        return language_tag(tagged[0])
    return language_tag(core.languages[0]) if len(core.languages) == 1 else None


def translated_titles(core: CoreRecord, title: str, lang: str) -> list[tuple[str, str]]:
    """(language, title) of the title's translations, the page's language first."""
    others = [(code, t) for code, t in core.titles.items() if t and t != title]
    return sorted(others, key=lambda pair: pair[0] != lang)


def breadcrumb(item: Item, path: list[Item], lang: str) -> list[tuple[str, str]]:
    """(link, name) from the collection down to the item's parent. A collection and its top unit often share
    a name (the collection "Records of the Rector's Office" is that fonds): a name is given once, by the
    deeper of the two, which leads to the record rather than to a search. Names match in either language."""
    collection = item.collection
    steps: list[tuple[str, str, set[str]]] = [
        (
            url_for("catalogue.search", collection=collection.slug),
            collection.title_en if lang == "en" and collection.title_en else collection.title,
            _names(collection.title, collection.title_en),
        )
    ]
    steps += [
        (
            url_for("catalogue.record", item_id=a.id),
            a.title_en if lang == "en" and a.title_en else a.title,
            _names(a.title, a.title_en),
        )
        for a in path
    ]
    after = [names for _link, _name, names in steps[1:]] + [_names(item.title, item.title_en)]
    return [(link, name) for (link, name, names), nxt in zip(steps, after, strict=True) if not names & nxt]


def _names(*names: str | None) -> set[str]:
    return {" ".join(n.casefold().split()) for n in names if n and n.strip()}


def _request_state(item: Item) -> str | None:
    """The signed-in viewer's request for this restricted item: requested, refused or None."""
    who = viewer()
    if not who.signed_in:
        return None
    return session().scalar(
        select(AccessRequest.status)
        .join(User, User.id == AccessRequest.user_id)
        .where(AccessRequest.item_id == item.id, User.username == who.username)
    )


@bp.post("/items/<item_id>/request")
def request_access(item_id: str) -> Any:
    """A signed-in reader asks to see a restricted item's images; staff of its unit decide."""
    item, seen = _visible_item(item_id)
    who = viewer()
    if not who.signed_in or not who.username:
        return redirect(url_for("auth.login_form", next=url_for("catalogue.record", item_id=item.id)))
    if seen != Visibility.METADATA:
        raise BadRequest(f"item {item_id!r} is not restricted for you: there is nothing to request")
    reason = (request.form.get("reason") or "").strip()[:2000] or None
    access_changes.request_access(session(), get_user(session(), who.username), item.id, reason)
    session().commit()
    return redirect(url_for("catalogue.record", item_id=item.id), code=303)


@bp.get("/items/<item_id>/citation.bib")
def citation_bibtex(item_id: str) -> Response:
    """The item as a BibTeX entry."""
    item, _seen = _visible_item(item_id)
    body = citation.bibtex(item, core_of(item), urls.item_page(base_url(), item.id), current_language())
    return Response(
        body, mimetype="application/x-bibtex", headers={"Content-Disposition": f"inline; filename={item.id}.bib"}
    )


@bp.get("/items/<item_id>/citation.json")
def citation_csl(item_id: str) -> Response:
    """The item as CSL-JSON (Zotero, citeproc)."""
    item, _seen = _visible_item(item_id)
    data = [citation.csl_json(item, core_of(item), urls.item_page(base_url(), item.id), current_language())]
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/vnd.citationstyles.csl+json")


@bp.get("/browse/<item_id>")
def browse(item_id: str) -> str:
    """An archival description as a tree: the node's ancestors, then its children, page by page."""
    item, _seen = _visible_item(item_id)
    page = _page_arg()
    children = children_page(item.id, page)
    path = [a for a in ancestors(item) if visibility(viewer(), a) > Visibility.NONE]
    return render_template(
        "browse.html",
        item=item,
        path=path,
        children=[hit_json(h, base_url()) for h in children.hits],
        total=children.total,
        page=page,
        pages=max(1, -(-children.total // TREE_PAGE)),
    )


@bp.get("/browse/<item_id>/children")
def browse_children(item_id: str) -> str:
    """One page of children as a list fragment, for expanding a tree node in place."""
    item, _seen = _visible_item(item_id)
    page = _page_arg()
    children = children_page(item.id, page)
    return render_template(
        "_tree_children.html",
        item=item,
        children=[hit_json(h, base_url()) for h in children.hits],
        total=children.total,
        page=page,
        pages=max(1, -(-children.total // TREE_PAGE)),
    )


def _item_or_none(item_id: str) -> Item | None:
    try:
        return get_item(session(), item_id)
    except NotFound:
        return None


@bp.get("/embed/<item_id>")
def embed(item_id: str) -> Response:
    """A page for an iframe on a partner's site: the item deep-zoomable, with the attribution and rights a
    reuse must show and a link back to the record, in the asked language (`?lang=`, else Accept-Language)."""
    item = _item_or_none(item_id)
    # A restricted item is embedded for everyone who may see its description: the viewer asks for access
    # through the IIIF Authorization Flow (static/iiif-auth.js) and shows the images to an approved reader.
    if item is None or visibility(viewer(), item) == Visibility.NONE or not has_manifest(item):
        raise NotFound(f"item {item_id!r} has no images to embed")  # the same for an unknown and a closed one
    base = base_url()
    lang = current_language()
    chosen = request.args.get("viewer", "openseadragon")
    if chosen == "mirador":
        allow_inline_styles()  # Mirador (Material UI) injects its styles as elements; scripts stay our own
    images = image_files(item)
    return make_response(
        render_template(
            "embed.html",
            item=item,
            title=item.title,  # the title proper, as the record page heads it
            manifest=urls.manifest(base, item.id),
            record=urls.item_page(base, item.id),
            images=images,
            image_base=[urls.image_service(base, f.id) for f in images],
            attribution=attribution(item)[lang],
            rights=rights_statement(item.rights or item.collection.rights, lang),
            viewer=chosen,
        )
    )  # framed by partner sites: web/security.py sends `frame-ancestors *` and no X-Frame-Options here


# -- for search engines ----------------------------------------------------------------------


def _public_ids() -> list[str]:
    """Ids of the items the public may see (what the access function decides, asked per item)."""
    rows = session().execute(
        select(Item.id, Item.access, Item.closed_until, Item.held_back, Item.withdrawn_at).order_by(Item.id)
    )
    return [
        item_id
        for item_id, access, closed_until, held_back, withdrawn_at in rows
        if visibility(
            PUBLIC, AccessFacts(item_id, None, access, closed_until, held_back is not None, withdrawn_at is not None)
        )
        > Visibility.NONE
    ]


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """A sitemap of the public items (an index of sitemaps of 50,000 each when there are more)."""
    base = base_url()
    ids = _public_ids()
    if len(ids) <= SITEMAP_SIZE:
        body = render_template("sitemap.xml", urls=[urls.item_page(base, i) for i in ids], base=base)
    else:
        parts = [f"{base}{url_for('catalogue.sitemap_part', n=n)}" for n in range(1, -(-len(ids) // SITEMAP_SIZE) + 1)]
        body = render_template("sitemap_index.xml", parts=parts)
    return Response(body, mimetype="application/xml")


@bp.get("/sitemap-<int:n>.xml")
def sitemap_part(n: int) -> Response:
    ids = _public_ids()[(n - 1) * SITEMAP_SIZE : n * SITEMAP_SIZE]
    if n < 1 or not ids:
        abort(404, f"sitemap part {n} does not exist")
    base = base_url()
    body = render_template("sitemap.xml", urls=[urls.item_page(base, i) for i in ids], base=base)
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    return Response(f"User-agent: *\nAllow: /\nSitemap: {base_url()}/sitemap.xml\n", mimetype="text/plain")
