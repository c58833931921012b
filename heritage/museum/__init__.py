"""The museum's Spectrum procedures: loans, condition checks and conservation, object entry and exit, acquisition."""
