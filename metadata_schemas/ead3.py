"""EAD3 finding aids (see `ead` for the shared reading and writing)."""

from metadata_schemas.ead import Ead3

STANDARD = Ead3()
