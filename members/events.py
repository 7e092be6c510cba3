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
# A person's account was anonymised (deleted by them, or removed after a long inactivity). Sent with `user` (now
# nameless and inactive) and `terms`: their name and addresses as they were. Receivers empty the texts the person
# wrote, erase the terms from texts about them and close what the person can no longer do (matching withdraws
# their open matches). A receiver may answer {"organisations": ids}: more places where the name may be written.
account_anonymised = Signal()
# A person downloads their data. Sent with `user`; each receiver returns a dict of sections to add to the export.
personal_data_requested = Signal()
