"""Bulk exports: a collection (or the tree under one item) written in one standard, streamed.

Formats are registered in one table (`heritage.export.formats.EXPORTS`); `heritage export` reads it.
What is exported is what the public may see, asked of the one access function, unless the caller
asks for everything.
"""
