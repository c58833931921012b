"""The domain core: model, database, storage, access rules, search index, jobs and the CLI.

It never imports Flask or the upper layers (`ingest`, `iiif`, `web`); they register their commands
through the `heritage.commands` entry point group.
"""

__version__ = "0.1.0"
