"""The masterplan as executable rules: a policy file (data, validated against `data/schema.json`), the
decision engine (hard rules first, then the significance index), digitisation priority, and what is
stored of it (versions, decisions, overrides, approvals). See README.md beside this file."""
