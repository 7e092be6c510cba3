"""Named reads that views and services share. Each returns a queryset or plain data with a fixed number of
queries, whatever the number of rows."""


# --- Review (coordinators): review_queue, needs_unanswered ------------------------------------------

# --- Both sides: matches of a need, of a user, of an organisation; a match's history ----------------
