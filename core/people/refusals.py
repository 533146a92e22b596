"""A refused action: what staff or a resident asked cannot be done, and nothing changed.

``problem`` names the reason (the chat turns it into a text id, the API into its body);
``status_code`` is what an API answers. Every feature's services raise these, so the chat
and the staff API handle refusals of registrations, bookings and complaints alike.
"""

from __future__ import annotations


class Refused(Exception):
    status_code = 422

    def __init__(self, problem: str, status_code: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        if status_code is not None:
            self.status_code = status_code


class NotFound(Refused):
    status_code = 404


class Forbidden(Refused):
    status_code = 403
