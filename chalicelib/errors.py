"""Domain errors. Commands and queries raise these; the HTTP layer maps each
class to a status code (chalicelib/api/http.py), never by message text."""


# A token's user is gone, or its password changed: the token no longer holds.
NO_SUCH_USER = "Could not validate credentials"


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


class TooManyRequests(DomainError):
    """A rate limit is reached (HTTP 429); retry_after is in whole seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"Too many requests, retry in {retry_after} s")
        self.retry_after = retry_after


class Busy(DomainError):
    """Contention outlasted a command's retries (HTTP 503): the server's
    trouble, not the request's, so the client should try again after
    retry_after seconds."""

    def __init__(self, detail: str, retry_after: int = 1):
        super().__init__(detail)
        self.retry_after = retry_after
