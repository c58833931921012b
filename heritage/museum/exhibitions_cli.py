"""`heritage exhibitions ...`: create and fill an exhibition (or load it from a TOML file), install and close it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from heritage.policy.cli import default_agent, parse_day


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _summary(session: Any, exhibition: Any) -> dict[str, Any]:
    from heritage.museum.exhibitions import as_spec
    from heritage.museum.exhibitions_light import exhibition_light

    spec = as_spec(exhibition)
    spec["light"] = [o.as_json() for o in exhibition_light(session, exhibition)]
    return spec


@click.group("exhibitions")
def exhibitions_group() -> None:
    """Exhibitions: physical (rooms, dates, light) and online (pages of IIIF image regions)."""


@exhibitions_group.command("load")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--by", "agent", default=default_agent)
@click.option("--json", "as_json", is_flag=True)
def load_cmd(file: Path, agent: str, as_json: bool) -> None:
    """Create or update the exhibition a TOML FILE describes (slug, titles, dates, objects, pages)."""
    from heritage.cli import open_runtime
    from heritage.museum.exhibitions import read_spec, save

    runtime = open_runtime()
    with runtime.transaction() as session:
        exhibition, changed = save(session, read_spec(file), agent=agent)
        result = {"slug": exhibition.slug, "changed": changed}
    if as_json:
        _echo_json(result)
    else:
        click.echo(f"{result['slug']}: {'saved' if changed else 'unchanged'}")


@exhibitions_group.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="Title in Dutch.")
@click.option("--title-en", required=True, help="Title in English.")
@click.option("--from", "starts", help="First day (YYYY-MM-DD); none: online only.")
@click.option("--to", "ends", help="Last day (YYYY-MM-DD).")
@click.option("--by", "agent", default=default_agent)
@click.option("--json", "as_json", is_flag=True)
def create_cmd(
    slug: str, title: str, title_en: str, starts: str | None, ends: str | None, agent: str, as_json: bool
) -> None:
    """Create an empty exhibition SLUG."""
    from heritage.cli import open_runtime
    from heritage.museum.exhibitions import create

    runtime = open_runtime()
    with runtime.transaction() as session:
        exhibition = create(
            session,
            slug,
            title=title,
            title_en=title_en,
            starts_on=parse_day(starts, "--from"),
            ends_on=parse_day(ends, "--to"),
            agent=agent,
        )
        result = _summary(session, exhibition)
    _echo_json(result) if as_json else click.echo(f"created exhibition {slug}")


@exhibitions_group.command("add-object")
@click.argument("slug")
@click.argument("item")
@click.option("--room", help="The location code of its room or case.")
@click.option("--label", help="Its label in Dutch.")
@click.option("--label-en", help="Its label in English.")
@click.option("--by", "agent", default=default_agent)
@click.option("--json", "as_json", is_flag=True)
def add_object_cmd(
    slug: str, item: str, room: str | None, label: str | None, label_en: str | None, agent: str, as_json: bool
) -> None:
    """Add ITEM (an id or identifier) to exhibition SLUG."""
    from heritage.cli import open_runtime
    from heritage.museum.exhibitions import add_object

    runtime = open_runtime()
    with runtime.transaction() as session:
        exhibition = add_object(session, slug, item, room=room, label=label, label_en=label_en, agent=agent)
        result = _summary(session, exhibition)
    _echo_json(result) if as_json else click.echo(f"{slug}: {len(result['objects'])} objects")


@exhibitions_group.command("add-page")
@click.argument("slug")
@click.option("--title", required=True)
@click.option("--title-en", required=True)
@click.option("--text", help="Text in Dutch.")
@click.option("--text-en", help="Text in English.")
@click.option(
    "--image",
    "images",
    multiple=True,
    help="ITEM:PAGE:REGION:CAPTION_NL|CAPTION_EN, e.g. BC-VES-1543:4:100,200,800,600:Titel|Title (repeatable).",
)
@click.option("--by", "agent", default=default_agent)
@click.option("--json", "as_json", is_flag=True)
def add_page_cmd(
    slug: str,
    title: str,
    title_en: str,
    text: str | None,
    text_en: str | None,
    images: tuple[str, ...],
    agent: str,
    as_json: bool,
) -> None:
    """Add a page to the story of exhibition SLUG."""
    from heritage.cli import open_runtime
    from heritage.errors import BadRequest
    from heritage.museum.exhibitions import add_page

    parsed = []
    for image in images:
        parts = image.split(":", 3)
        if len(parts) != 4 or "|" not in parts[3] or not parts[1].isdigit():
            raise BadRequest(f"--image {image!r}: give ITEM:PAGE:REGION:CAPTION_NL|CAPTION_EN")
        caption, caption_en = parts[3].split("|", 1)
        parsed.append(
            {"item": parts[0], "page": int(parts[1]), "region": parts[2], "caption": caption, "caption_en": caption_en}
        )
    page = {"title": title, "title_en": title_en, "text": text, "text_en": text_en, "images": parsed}
    runtime = open_runtime()
    with runtime.transaction() as session:
        exhibition = add_page(session, slug, page, agent=agent)
        result = _summary(session, exhibition)
    _echo_json(result) if as_json else click.echo(f"{slug}: {len(result['pages'])} pages")


@exhibitions_group.command("show")
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True)
def show_cmd(slug: str, as_json: bool) -> None:
    """An exhibition: its dates, state, objects with their light over the run, and pages."""
    from heritage.cli import open_runtime
    from heritage.museum.exhibitions import get

    runtime = open_runtime()
    with runtime.sessions() as session:
        result = _summary(session, get(session, slug))
    if as_json:
        _echo_json(result)
        return
    when = f"{result['from']} - {result['to']}" if result["from"] else "online only"
    click.echo(f"{result['slug']}: {result['title']} / {result['title_en']} ({when}; {result['state']})")
    light = {o["item"]: o for o in result["light"]}
    for obj in result["objects"]:
        lit = light.get(obj["item"])
        status = (
            f"{lit['location']} {lit['status']}"
            + (f" rotate on {lit['rotate_on']}" if lit and lit["rotate_on"] else "")
            if lit
            else "-"
        )
        click.echo(f"  {obj['item']}  {status}  {obj['label'] or ''}")
    for n, page in enumerate(result["pages"], start=1):
        click.echo(f"  page {n}: {page['title']} ({len(page['images'])} images)")


@exhibitions_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(as_json: bool) -> None:
    """Every exhibition with its dates, state and number of objects and pages."""
    from heritage.cli import open_runtime
    from heritage.museum.exhibitions import list_all

    runtime = open_runtime()
    with runtime.sessions() as session:
        rows = [
            {
                "slug": e.slug,
                "title": e.title,
                "title_en": e.title_en,
                "from": e.starts_on.isoformat() if e.starts_on else None,
                "to": e.ends_on.isoformat() if e.ends_on else None,
                "state": e.state,
                "objects": len(e.objects),
                "pages": len(e.pages),
            }
            for e in list_all(session)
        ]
    if as_json:
        _echo_json({"exhibitions": rows})
        return
    for r in rows:
        when = f"{r['from']} - {r['to']}" if r["from"] else "online only"
        click.echo(f"{r['slug']:<28} {when:<24} {r['state']:<10} {r['objects']} objects, {r['pages']} pages")


def _moves_cmd(name: str, doc: str) -> click.Command:
    @click.argument("slug")
    @click.option("--by", "agent", default=default_agent)
    @click.option("--json", "as_json", is_flag=True)
    def command(slug: str, agent: str, as_json: bool) -> None:
        from heritage.cli import open_runtime
        from heritage.museum import exhibitions

        runtime = open_runtime()
        with runtime.transaction() as session:
            moves = getattr(exhibitions, name)(session, slug, agent=agent)
        if as_json:
            _echo_json({"slug": slug, "moves": moves})
            return
        for m in moves:
            click.echo(f"{m['item']} -> {m['to']}{'' if m['moved'] else ' (already there)'}")
            for warning in m["warnings"]:
                click.echo(f"  warning: {warning}", err=True)
        click.echo(f"exhibition {slug} {'installed' if name == 'install' else 'closed'}")

    command.__doc__ = doc
    return exhibitions_group.command(name)(command)


_moves_cmd("install", "Install exhibition SLUG: move each object to its room or case (a movement each).")
_moves_cmd("close", "Close exhibition SLUG: return each object to where it came from (a movement each).")
