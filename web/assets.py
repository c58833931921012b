"""Viewer assets (OpenSeadragon, Mirador): installed from npm by an explicit command, served at /assets/.

The repository holds none of them. `heritage assets install` runs npm into the assets folder
(`HERITAGE_ASSETS`, default `<data>/assets`); the URL contract is `/assets/<name>/<path>` where `<path>`
is relative to the package folder named in `data/viewer_assets.json` (for example
`/assets/openseadragon/openseadragon.min.js`, `/assets/openseadragon/images/`,
`/assets/mirador/mirador.min.js`). Pages ask `asset_url(name)` and fall back to a plain image when it
is None.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import click
from flask import Blueprint, Response, abort, send_from_directory

from heritage.errors import ConfigurationError
from heritage.settings import Settings
from web.context import runtime

CATALOGUE = Path(__file__).parent / "data" / "viewer_assets.json"
URL_PREFIX = "/assets"

bp = Blueprint("assets", __name__, url_prefix=URL_PREFIX)


@dataclass(frozen=True)
class ViewerAsset:
    """One npm package: what to install, which of its folders is served, and its main script."""

    name: str
    package: str
    version: str
    serve: str
    main: str
    style_hashes: tuple[str, ...] = ()

    def folder(self, assets_dir: Path) -> Path:
        return assets_dir / "node_modules" / self.package / self.serve

    def installed(self, assets_dir: Path) -> bool:
        return (self.folder(assets_dir) / self.main).is_file()

    def installed_version(self, assets_dir: Path) -> str | None:
        try:
            meta = json.loads((assets_dir / "node_modules" / self.package / "package.json").read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return str(meta.get("version") or "") or None


@cache
def viewer_assets() -> dict[str, ViewerAsset]:
    data = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {
        name: ViewerAsset(
            name,
            **{k: v for k, v in spec.items() if not k.startswith("_") and k != "style_hashes"},
            style_hashes=tuple(spec.get("style_hashes", ())),
        )
        for name, spec in data.items()
        if not name.startswith("_")
    }


def assets_dir(settings: Settings) -> Path:
    return settings.assets_dir or settings.data_dir / "assets"


def asset_url(name: str, path: str | None = None) -> str | None:
    """The URL of an installed asset's file (its main script by default), or None when not installed."""
    asset = viewer_assets().get(name)
    if asset is None or not asset.installed(assets_dir(runtime().settings)):
        return None
    return f"{URL_PREFIX}/{name}/{asset.main if path is None else path}"


@bp.get("/<name>/<path:path>")
def serve(name: str, path: str) -> Response:
    """Serve a file of an installed viewer package (send_from_directory refuses paths leaving it)."""
    asset = viewer_assets().get(name)
    if asset is None:
        abort(404, f"no viewer asset {name!r}")
    folder = asset.folder(assets_dir(runtime().settings))
    if not folder.is_dir():
        abort(404, f"viewer asset {name!r} is not installed (run `heritage assets install`)")
    response = send_from_directory(folder, path, max_age=86400)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def install(target: Path, *, force: bool = False, echo=print) -> list[ViewerAsset]:  # type: ignore[no-untyped-def]
    """Install the pinned viewer packages with npm into `target`; those already there are skipped.

    Raises:
        ConfigurationError: npm is missing or failed; the folder is left as npm left it.
    """
    wanted = [
        a
        for a in viewer_assets().values()
        if force or not a.installed(target) or a.installed_version(target) != a.version
    ]
    if not wanted:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise ConfigurationError(
            "npm is not on PATH: install Node.js and npm (Debian: apt-get install npm), "
            f"then run `heritage assets install` again (target {target})"
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(
            f"assets folder {target} cannot be created: {exc.strerror} (HERITAGE_ASSETS)"
        ) from None
    package_json = target / "package.json"
    if not package_json.exists():
        package_json.write_text(
            json.dumps({"name": "heritage-viewer-assets", "private": True, "description": "installed by heritage"})
            + "\n",
            encoding="utf-8",
        )
    specs = [f"{a.package}@{a.version}" for a in wanted]
    echo(f"npm install {' '.join(specs)} into {target}")
    command = [npm, "install", "--prefix", str(target), "--no-audit", "--no-fund", "--save-exact", *specs]
    result = subprocess.run(command, stdout=sys.stderr, stderr=sys.stderr, check=False)
    if result.returncode != 0:
        raise ConfigurationError(f"npm install {' '.join(specs)} failed with exit status {result.returncode}")
    missing = [a.name for a in wanted if not a.installed(target)]
    if missing:
        raise ConfigurationError(f"npm finished but {', '.join(missing)} has no {wanted[0].main} in {target}")
    return wanted


@click.group("assets")
def assets_command() -> None:
    """Viewer assets (OpenSeadragon, Mirador) from npm, served at /assets/."""


@assets_command.command("install")
@click.option("--force", is_flag=True, help="Reinstall even when the pinned versions are there.")
def install_command(force: bool) -> None:
    """Install the pinned viewer packages with npm into HERITAGE_ASSETS (downloads from the npm registry)."""
    target = assets_dir(Settings.load())
    done = install(target, force=force, echo=lambda line: click.echo(line, err=True))
    for asset in viewer_assets().values():
        state = "installed" if asset in done else "already there"
        click.echo(f"{asset.name} {asset.version}: {state} ({asset.folder(target)})")


@assets_command.command("list")
def list_command() -> None:
    """Show each viewer package, its pinned version and whether it is installed."""
    target = assets_dir(Settings.load())
    for asset in viewer_assets().values():
        have = asset.installed_version(target) if asset.installed(target) else None
        state = f"installed {have}" if have else "not installed"
        click.echo(f"{asset.name} {asset.version}: {state} -> {URL_PREFIX}/{asset.name}/{asset.main}")
