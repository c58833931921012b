"""The museum's procedures (Spectrum): exhibitions, loans and condition checks, each a record with a history."""
