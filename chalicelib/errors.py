"""Domain errors. Commands and queries raise these; the HTTP layer maps each
class to a status code (chalicelib/api/http.py), never by message text."""


class DomainError(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """The request is well-formed but breaks a rule (e.g. already taken)."""


class Forbidden(DomainError):
    pass


class Unauthorized(DomainError):
    pass


class Invalid(DomainError):
    """A value the request carried cannot be used (HTTP 422)."""
