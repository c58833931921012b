"""IIIF Image API 3 server logic and Presentation API 3 manifests and collections.

Flask-free: the web layer routes requests here. Imports only `heritage` (and `metadata_schemas`).
"""
