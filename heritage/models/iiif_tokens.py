"""IIIF access tokens (Authorization Flow 2.0): short-lived bearer tokens a viewer on any site sends to the
image service; only their SHA-256 is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.models.base import Base, UTCDateTime, utcnow
from heritage.models.users import User


class IIIFAccessToken(Base):
    """One token the token service handed to a viewer at `origin` for a signed-in user."""

    __tablename__ = "iiif_access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    origin: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
