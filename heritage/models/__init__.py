"""The SQLAlchemy 2 models; every table the catalogue has, importable from one place."""

from heritage.models.authorities import Authority, AuthorityId, AuthorityKey, AuthorityLink
from heritage.models.base import Base, utcnow
from heritage.models.batches import Batch, BatchFile, BatchHandoff, BatchStatus, FileState, HandoffKind
from heritage.models.catalogue import Item, MetadataRecord
from heritage.models.disposals import Disposal, DisposalDocument, ExternalApproval, Refusal
from heritage.models.events import Event
from heritage.models.files import File
from heritage.models.fulltext import PageText
from heritage.models.harvest import HarvestRecord
from heritage.models.iiif_tokens import IIIFAccessToken
from heritage.models.locations import Location
from heritage.models.masterplan import (
    Approval,
    EnvironmentReading,
    InventoryCheck,
    Movement,
    PolicyDecision,
    PolicyOverride,
    PolicyVersion,
    Transfer,
)
from heritage.models.museum_exhibitions import Exhibition, ExhibitionObject, ExhibitionPage
from heritage.models.museum_loans import (
    Acquisition,
    ConditionCheck,
    ConservationTreatment,
    Loan,
    LoanObject,
    ObjectPassage,
)
from heritage.models.organisation import Collection, Unit
from heritage.models.preservation import PreservationRequest
from heritage.models.revisions import Revision
from heritage.models.search_outbox import SearchRequest
from heritage.models.users import AccessRequest, ApiToken, LoginAttempt, RoleAssignment, User
from heritage.models.vocab import Access, Domain, FileRole, Level, Outcome, Role, UnitKind

__all__ = [
    "Access",
    "AccessRequest",
    "Acquisition",
    "ApiToken",
    "Approval",
    "Authority",
    "AuthorityId",
    "AuthorityKey",
    "AuthorityLink",
    "Base",
    "Batch",
    "BatchFile",
    "BatchHandoff",
    "BatchStatus",
    "Collection",
    "ConditionCheck",
    "ConservationTreatment",
    "Disposal",
    "DisposalDocument",
    "Domain",
    "EnvironmentReading",
    "Event",
    "Exhibition",
    "ExhibitionObject",
    "ExhibitionPage",
    "ExternalApproval",
    "File",
    "FileRole",
    "FileState",
    "HandoffKind",
    "HarvestRecord",
    "IIIFAccessToken",
    "InventoryCheck",
    "Item",
    "Level",
    "Loan",
    "LoanObject",
    "Location",
    "LoginAttempt",
    "MetadataRecord",
    "Movement",
    "ObjectPassage",
    "Outcome",
    "PageText",
    "PolicyDecision",
    "PolicyOverride",
    "PolicyVersion",
    "PreservationRequest",
    "Refusal",
    "Revision",
    "Role",
    "RoleAssignment",
    "SearchRequest",
    "Transfer",
    "Unit",
    "UnitKind",
    "User",
    "utcnow",
]
