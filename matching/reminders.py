"""Placeholder until written."""


def reminders_send() -> int:
    raise NotImplementedError


def recommendations_weekly() -> int:
    raise NotImplementedError
