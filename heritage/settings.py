"""Every setting of the system in one table: the CLI, the web app, the workers and the docs read it.

Configuration comes from environment variables; defaults need nothing (SQLite, inline jobs, Whoosh,
files under the data directory). Tests pass an explicit mapping instead of touching the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from heritage.errors import ConfigurationError


@dataclass(frozen=True)
class Setting:
    """One documented setting: its name, environment variable, default and help text."""

    name: str
    env: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "HERITAGE_DATA",
        "./heritage-data",
        "Data directory: SQLite database, Whoosh index, stored masters and derivatives.",
    ),
    Setting(
        "database_url",
        "DATABASE_URL",
        None,
        "SQLAlchemy URL of the catalogue database; default a SQLite file in the data directory.",
    ),
    Setting(
        "redis_url",
        "REDIS_URL",
        None,
        "Redis URL for background jobs on rq; unset runs every job inline in the caller.",
    ),
    Setting("queue_name", "HERITAGE_QUEUE", "heritage", "Name of the rq queue the workers listen on."),
    Setting(
        "base_url",
        "HERITAGE_BASE_URL",
        None,
        "Public base URL for IIIF ids and permalinks; default the URL of the incoming request.",
    ),
    Setting(
        "secret_key",
        "HERITAGE_SECRET_KEY",
        None,
        "Secret for signing session cookies; default a random key stored in the data directory.",
    ),
    Setting("tile_size", "HERITAGE_TILE_SIZE", "256", "Edge in pixels of the IIIF tiles made at ingest."),
    Setting("jpeg_quality", "HERITAGE_JPEG_QUALITY", "90", "JPEG quality of derivatives and tiles."),
    Setting(
        "max_image_pixels",
        "HERITAGE_MAX_IMAGE_PIXELS",
        "400000000",
        "Largest master (pixels) ingest accepts; bigger files are refused as decompression bombs.",
    ),
    Setting(
        "iiif_max_area",
        "HERITAGE_IIIF_MAX_AREA",
        "16777216",
        "Largest output (pixels) one IIIF image request may produce, rotation included; announced as maxArea.",
    ),
    Setting(
        "iiif_max_width",
        "HERITAGE_IIIF_MAX_WIDTH",
        None,
        "Widest output (pixels) one IIIF image request may produce, rotation included; announced as maxWidth; "
        "default no limit.",
    ),
    Setting(
        "iiif_cache_mb",
        "HERITAGE_IIIF_CACHE_MB",
        "1024",
        "Size bound (MB) of the disk cache of rendered IIIF images that are not stored tiles.",
    ),
    Setting(
        "assets_dir",
        "HERITAGE_ASSETS",
        None,
        "Folder of the viewer assets (OpenSeadragon, Mirador) that `heritage assets install` fills from npm; "
        "default `assets` in the data directory.",
    ),
    Setting(
        "schemas_dir",
        "HERITAGE_SCHEMAS",
        None,
        "Folder of official XSDs with a catalog.xml for offline validation; default <data>/schemas when "
        "`heritage schemas install` filled it (without one, only well-formedness and structure are checked).",
    ),
    Setting(
        "search_cache_mb",
        "HERITAGE_SEARCH_CACHE_MB",
        "256",
        "Memory (MB) each process keeps for recently read search posting lists; popular words are decoded once.",
    ),
    Setting(
        "search_page_cache",
        "HERITAGE_SEARCH_PAGE_CACHE",
        "2000",
        "Rendered search pages and API search answers each web process keeps for anonymous visitors (0: none); "
        "any change to the index, and a minute's age, retire them.",
    ),
    Setting(
        "digitisation_guideline",
        "HERITAGE_DIGITISATION_GUIDELINE",
        None,
        "Guideline the quality checks of ingested masters apply: a profile of "
        "ingest/data/digitisation_guidelines.json (default metamorfoze-light) or a JSON file (path#profile).",
    ),
    Setting(
        "oai_name",
        "HERITAGE_OAI_NAME",
        "Heritage collections",
        "Repository name that the OAI-PMH endpoint (/oai) gives in Identify.",
    ),
    Setting(
        "oai_admin_email",
        "HERITAGE_OAI_ADMIN_EMAIL",
        None,
        "Contact address that OAI-PMH Identify gives; default heritage@ the host of the base URL.",
    ),
    Setting(
        "oai_page_size",
        "HERITAGE_OAI_PAGE_SIZE",
        "100",
        "Records per OAI-PMH list response (ListRecords, ListIdentifiers) before a resumption token.",
    ),
    Setting(
        "ocfl_root",
        "HERITAGE_OCFL_ROOT",
        None,
        "OCFL 1.1 storage root of the preservation store (one object per item); default `ocfl` in the data directory.",
    ),
    Setting(
        "replica",
        "HERITAGE_REPLICA",
        None,
        "Folder (another disk or mount) that receives a verified copy of every OCFL object; default none.",
    ),
    Setting(
        "fixity_cycle_days",
        "HERITAGE_FIXITY_CYCLE_DAYS",
        "365",
        "Days within which `heritage fixity audit --due`, run every twelfth of them, checks every stored file.",
    ),
    Setting(
        "login_max_failures",
        "HERITAGE_LOGIN_MAX_FAILURES",
        "5",
        "Failed logins per username and address within the window before login answers 429.",
    ),
    Setting(
        "login_window_minutes",
        "HERITAGE_LOGIN_WINDOW_MINUTES",
        "15",
        "Window (minutes) in which failed logins are counted for the rate limit.",
    ),
    Setting(
        "max_upload_mb",
        "HERITAGE_MAX_UPLOAD_MB",
        "2048",
        "Largest request body (MB) the web accepts, an archivist's upload of a batch included; bigger ones get 413.",
    ),
    Setting(
        "condition_photo_mb",
        "HERITAGE_CONDITION_PHOTO_MB",
        "50",
        "Largest photograph (MB) a condition check takes as an upload; a bigger one is refused, naming the limit.",
    ),
    Setting(
        "access_rules",
        "HERITAGE_ACCESS_RULES",
        None,
        "YAML file of closure rules (which items close, until when, per collection); "
        "default heritage/data/closure_rules.yaml.",
    ),
    Setting(
        "ocr_rules",
        "HERITAGE_OCR_RULES",
        None,
        "YAML file of OCR rules (which collections are read, languages, script, confidence threshold); "
        "default heritage/data/ocr_rules.yaml.",
    ),
    Setting(
        "auto_migrate",
        "HERITAGE_AUTO_MIGRATE",
        "1",
        "Apply pending database migrations when a command starts (0 to require `heritage db upgrade`).",
    ),
)


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with `Settings.load()`."""

    data_dir: Path
    database_url: str
    redis_url: str | None
    queue_name: str
    base_url: str | None
    secret_key: str | None
    tile_size: int
    jpeg_quality: int
    max_image_pixels: int
    iiif_max_area: int
    schemas_dir: Path | None
    search_cache_mb: int
    auto_migrate: bool
    iiif_max_width: int | None = None
    iiif_cache_mb: int = 1024
    search_page_cache: int = 2000
    assets_dir: Path | None = None
    digitisation_guideline: str | None = None
    oai_name: str = "Heritage collections"
    oai_admin_email: str | None = None
    oai_page_size: int = 100
    ocfl_root: Path | None = None
    replica: Path | None = None
    fixity_cycle_days: int = 365
    login_max_failures: int = 5
    login_window_minutes: int = 15
    access_rules: Path | None = None
    max_upload_mb: int = 2048
    condition_photo_mb: int = 50
    ocr_rules: Path | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, overrides: Mapping[str, object] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from `overrides`, then the environment, then the defaults.

        Raises:
            ConfigurationError: a value has the wrong type.
        """
        env = os.environ if environ is None else environ
        overrides = dict(overrides or {})
        raw: dict[str, str | None] = {}
        for s in SETTINGS:
            if s.name in overrides:
                value = overrides.pop(s.name)
                raw[s.name] = None if value is None else str(value)
            else:
                raw[s.name] = env.get(s.env) or s.default
        data_dir = Path(raw["data_dir"] or ".").expanduser().absolute()
        database_url = raw["database_url"] or f"sqlite:///{data_dir / 'heritage.sqlite'}"

        def integer(name: str, least: int = 1) -> int:
            value = raw[name]
            try:
                number = int(str(value))
            except ValueError:
                env_name = next(s.env for s in SETTINGS if s.name == name)
                raise ConfigurationError(f"{env_name}={value!r} is not a whole number") from None
            if number < least:
                env_name = next(s.env for s in SETTINGS if s.name == name)
                raise ConfigurationError(f"{env_name}={value!r} must be {'positive' if least else 'zero or more'}")
            return number

        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=raw["redis_url"] or None,
            queue_name=raw["queue_name"] or "heritage",
            base_url=(raw["base_url"] or "").rstrip("/") or None,
            secret_key=raw["secret_key"] or None,
            tile_size=integer("tile_size"),
            jpeg_quality=min(100, integer("jpeg_quality")),
            max_image_pixels=integer("max_image_pixels"),
            iiif_max_area=integer("iiif_max_area"),
            schemas_dir=Path(raw["schemas_dir"]).expanduser().absolute() if raw["schemas_dir"] else None,
            search_cache_mb=integer("search_cache_mb"),
            auto_migrate=_truthy(raw["auto_migrate"] or "1"),
            iiif_max_width=integer("iiif_max_width") if raw["iiif_max_width"] else None,
            iiif_cache_mb=integer("iiif_cache_mb"),
            search_page_cache=integer("search_page_cache", least=0),
            assets_dir=Path(raw["assets_dir"]).expanduser().absolute() if raw["assets_dir"] else data_dir / "assets",
            digitisation_guideline=raw["digitisation_guideline"] or None,
            oai_name=raw["oai_name"] or "Heritage collections",
            oai_admin_email=raw["oai_admin_email"] or None,
            oai_page_size=integer("oai_page_size"),
            ocfl_root=Path(raw["ocfl_root"]).expanduser().absolute() if raw["ocfl_root"] else data_dir / "ocfl",
            replica=Path(raw["replica"]).expanduser().absolute() if raw["replica"] else None,
            fixity_cycle_days=integer("fixity_cycle_days"),
            login_max_failures=integer("login_max_failures"),
            login_window_minutes=integer("login_window_minutes"),
            access_rules=Path(raw["access_rules"]).expanduser().absolute() if raw["access_rules"] else None,
            max_upload_mb=integer("max_upload_mb"),
            condition_photo_mb=integer("condition_photo_mb"),
            ocr_rules=Path(raw["ocr_rules"]).expanduser().absolute() if raw["ocr_rules"] else None,
            extra={k: str(v) for k, v in overrides.items()},
        )

    @property
    def schemas_folder(self) -> Path | None:
        """The schemas folder in force: HERITAGE_SCHEMAS, else the installed one in the data directory."""
        if self.schemas_dir is not None:
            return self.schemas_dir
        installed = self.data_dir / "schemas"
        return installed if (installed / "catalog.xml").is_file() else None

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def as_env(self) -> dict[str, str]:
        """The environment that reproduces these settings in another process (a worker, a server)."""
        out: dict[str, str] = {}
        for s in SETTINGS:
            value = getattr(self, s.name)
            if value is None:
                continue
            if isinstance(value, bool):
                value = "1" if value else "0"
            out[s.env] = str(value)
        return out


def setting_names() -> set[str]:
    return {f.name for f in fields(Settings)} - {"extra"}
