"""Locations as the masterplan sees them: the tree with its environment, matching an object to a
place (hard rules, then a score), light budgets, movements, inventory checks and logger readings."""
