"""Needs: create, edit and move along the lifecycle (draft → open → matched → in progress → completed, or cancelled)."""

__all__: list[str] = []
