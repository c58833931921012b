"""IIIF errors, each with the HTTP status the Image API prescribes; the web layer maps them once."""

from __future__ import annotations


class IIIFError(Exception):
    status = 500


class ParameterError(IIIFError):
    """Bad syntax or an impossible request (400)."""

    status = 400


class ImageNotFound(IIIFError):
    """No image with this identifier, or the viewer may not see it (404)."""

    status = 404


class NotImplementedFeature(IIIFError):
    """A valid request for something this server does not offer (501)."""

    status = 501
