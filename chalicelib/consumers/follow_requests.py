"""Follow-requests consumer: an account made public approves its pending
requests. Each event approves at most APPROVALS_PER_EVENT of them, each in
its own transaction (the approve command's), then, if there may be more,
publishes a follow-up event for the rest, so no invocation's work grows
with the number of requests. Approving twice is harmless: a request is
approved once, and the second approval finds nothing (404) and moves on."""
from __future__ import annotations

from chalicelib.commands import follows
from chalicelib.errors import NotFound
from chalicelib.events import Event, PendingRequestsToApprove, UserUpdated
from chalicelib.models import FollowRequest, User
from chalicelib.models.base import stored_now
from chalicelib.publisher import publish

APPROVALS_PER_EVENT = 25


def approve_pending(event: Event[UserUpdated] | Event[PendingRequestsToApprove]) -> None:
    user_id = event.payload.user_id
    user = stored_now(User, user_id)
    if user is None or user.is_private:
        return  # private again: the requests wait for its owner
    pending = list(FollowRequest.by_time.query(user_id, limit=APPROVALS_PER_EVENT))
    for request in pending:
        try:
            follows.approve(user_id, request.requester_id)
        except NotFound:
            pass  # withdrawn or declined meanwhile
    if len(pending) == APPROVALS_PER_EVENT:
        publish(Event(PendingRequestsToApprove(user_id=user_id)))


HANDLERS = {
    UserUpdated: approve_pending,
    PendingRequestsToApprove: approve_pending,
}
