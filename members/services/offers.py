"""Offers: capacity a member organisation puts at the association's disposal."""

__all__: list[str] = []
