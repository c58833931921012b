"""Metadata standards of archives, libraries, science and museums: detect, validate, parse, serialise.

A library of standards: it imports nothing of the project. Every standard is a module with the same
small interface (see `registry.Standard`) and registers itself in `registry.REGISTRY`.
"""
