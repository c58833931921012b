"""The metadata standards as the system uses them: the schemas folder of the settings, made active.

`metadata_schemas` reads no settings; this module hands it the schemas folder in force
(`HERITAGE_SCHEMAS`, or `<data>/schemas` once `heritage schemas install` filled it) so that every
surface (ingest, the metadata commands) validates against the same official XSDs, offline.
"""

from __future__ import annotations

from heritage.errors import ConfigurationError
from heritage.settings import Settings
from metadata_schemas import schemas
from metadata_schemas.schemas import SchemaError, SchemaSet


def activate(settings: Settings) -> SchemaSet | None:
    """Validate against the schemas folder of these settings from now on (None: no folder, structure only).

    Raises:
        ConfigurationError: HERITAGE_SCHEMAS points at a folder without a usable catalog.xml.
    """
    folder = settings.schemas_folder
    if folder is not None and schemas.active() is not None and schemas.active().folder == folder:  # type: ignore[union-attr]
        return schemas.active()
    try:
        return schemas.activate(folder)
    except SchemaError as exc:
        raise ConfigurationError(f"HERITAGE_SCHEMAS={folder}: {exc}") from None
