"""Volunteers: joining, profiles, invitations and CSV import."""

__all__: list[str] = []
