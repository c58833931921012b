"""The SQLAlchemy 2 models; every table the catalogue has, importable from one place."""

from heritage.models.base import Base, utcnow
from heritage.models.catalogue import Item, MetadataRecord
from heritage.models.events import Event
from heritage.models.files import File
from heritage.models.locations import Location
from heritage.models.organisation import Collection, Unit
from heritage.models.users import RoleAssignment, User
from heritage.models.vocab import Access, Domain, FileRole, Level, Outcome, Role, UnitKind

__all__ = [
    "Access",
    "Base",
    "Collection",
    "Domain",
    "Event",
    "File",
    "FileRole",
    "Item",
    "Level",
    "Location",
    "MetadataRecord",
    "Outcome",
    "Role",
    "RoleAssignment",
    "Unit",
    "UnitKind",
    "User",
    "utcnow",
]
