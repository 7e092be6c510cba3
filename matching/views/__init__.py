"""Views of matching: short functions, one module per area (candidates, review, matches, hours)."""
