"""Matching models arrive with the matching issue; the app exists so its place in the layout is fixed."""
