from pynamodb.attributes import NumberAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.models.base import Model, index_meta, table_meta


class FollowingByTime(GlobalSecondaryIndex):
    """Whom a user follows, most recent first."""

    Meta = index_meta("following-by-time", KeysOnlyProjection)
    follower_id = NumberAttribute(hash_key=True)
    follow_id = NumberAttribute(range_key=True)


class FollowersByTime(GlobalSecondaryIndex):
    """Who follows a user, most recent first."""

    Meta = index_meta("followers-by-time", KeysOnlyProjection)
    followee_id = NumberAttribute(hash_key=True)
    follow_id = NumberAttribute(range_key=True)


class Follow(Model):
    """follower_id follows followee_id. The key makes a second follow of the
    same user impossible; follow_id is time-ordered and doubles as the id of
    its notification."""

    Meta = table_meta("follows")

    follower_id = NumberAttribute(hash_key=True)
    followee_id = NumberAttribute(range_key=True)
    follow_id = NumberAttribute()

    following = FollowingByTime()
    followers = FollowersByTime()


class RequestsByTime(GlobalSecondaryIndex):
    """Who asked to follow a user, most recent first."""

    Meta = index_meta("requests-by-time", KeysOnlyProjection)
    followee_id = NumberAttribute(hash_key=True)
    request_id = NumberAttribute(range_key=True)


class RequestsByRequester(GlobalSecondaryIndex):
    """The requests a user is waiting on: what the erasure of a deleted
    account withdraws."""

    Meta = index_meta("requests-by-requester", KeysOnlyProjection)
    requester_id = NumberAttribute(hash_key=True)
    request_id = NumberAttribute(range_key=True)


class FollowRequest(Model):
    """requester_id asked to follow the private account followee_id and
    waits for its approval. Keyed by the account first: its pending requests
    are one partition, and a second request from the same user is
    impossible. request_id is time-ordered and doubles as the id of its
    notification."""

    Meta = table_meta("follow-requests")

    followee_id = NumberAttribute(hash_key=True)
    requester_id = NumberAttribute(range_key=True)
    request_id = NumberAttribute()

    by_time = RequestsByTime()
    by_requester = RequestsByRequester()
