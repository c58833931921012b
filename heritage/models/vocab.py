"""Controlled values stored in the database, as string enums (stored as text, checked in code)."""

from __future__ import annotations

from enum import StrEnum


class Domain(StrEnum):
    ARCHIVE = "archive"
    LIBRARY = "library"
    SCIENCE = "science"
    MUSEUM = "museum"


class UnitKind(StrEnum):
    CENTRAL_ARCHIVE = "central_archive"
    LIBRARY = "library"
    FACULTY = "faculty"
    CAMPUS = "campus"
    MUSEUM = "museum"
    SERVICE = "service"


class Level(StrEnum):
    """Levels of description (ISAD(G) for archives, plus the library, science and museum units)."""

    FONDS = "fonds"
    SUBFONDS = "subfonds"
    SERIES = "series"
    SUBSERIES = "subseries"
    FILE = "file"
    ITEM = "item"
    COLLECTION = "collection"
    VOLUME = "volume"
    PAGE = "page"
    SPECIMEN = "specimen"
    OBJECT = "object"
    OTHER = "otherlevel"


class Access(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"  # metadata public, images on request
    CLOSED = "closed"  # nothing public (until `closed_until` when set)


class FileRole(StrEnum):
    MASTER = "master"
    BORN_DIGITAL = "born_digital"
    DERIVATIVE = "derivative"
    CONDITION = "condition"  # a photograph documenting the object's condition: a staff record, never published


class Outcome(StrEnum):
    SUCCESS = "success"
    WARNING = "warning"
    FAILURE = "failure"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    COLLECTION_MANAGER = "collection_manager"
    ARCHIVIST = "archivist"
    READER = "reader"
    CONSERVATOR = "conservator"  # approves deaccession as the policy's conservator
    BOARD_MEMBER = "board_member"  # a member of the governing body: approves deaccession
