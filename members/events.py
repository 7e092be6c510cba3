"""What the members app announces, for other apps to react to (matching listens).

Services send these inside their transaction, once the change is made; a receiver that writes rows (a
matching request, say) writes them in the same transaction, so the announcement and the change commit or
roll back together. Members never imports the apps that listen.
"""

from django.dispatch import Signal

# A need became open: published from a draft, or resumed after a pause. Sent with `need_id`, `acting_user`.
need_opened = Signal()
# A volunteer profile became active with consent. Sent with `volunteer_id`.
volunteer_activated = Signal()
# An offer became active: published or resumed. Sent with `offer_id`, `acting_user`.
offer_activated = Signal()
