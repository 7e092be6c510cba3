"""Views of the members app, one module per area; the URLs are in members/urls.py."""
