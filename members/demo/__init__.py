"""Demo data: the small demo's market (`market`) and the association at full scale (`scale`), both loaded by
`manage.py seed_demo` and both safe to repeat."""

from .market import demo_market_load
from .market_data import DEMO_PASSWORD, DEMO_TOTP_SECRET, DEMO_VOLUNTEER_LOGINS
from .scale import SCALE_DOMAIN, SEED, SLUG_PREFIX, scale_load

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "DEMO_VOLUNTEER_LOGINS",
    "SCALE_DOMAIN",
    "SEED",
    "SLUG_PREFIX",
    "demo_market_load",
    "scale_load",
]
