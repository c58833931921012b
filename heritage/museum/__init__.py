"""The museum's procedures (Spectrum), each a record with a history.

Loans, exhibitions, condition checks and conservation, object entry and exit, acquisition.
"""
