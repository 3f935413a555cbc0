"""PynamoDB models: one module per concern. Tables are created by infra/
(CloudFormation in the cloud, infra.provision locally and in tests), never
here. ALL_MODELS is what infra reads to define them."""
from chalicelib.models.account_tokens import AccountToken
from chalicelib.models.blocks import Block
from chalicelib.models.connections import LiveConnection
from chalicelib.models.exports import Export
from chalicelib.models.follows import Follow, FollowRequest
from chalicelib.models.hashtags import Hashtag, HashtagPost
from chalicelib.models.marks import Mark
from chalicelib.models.media import Media
from chalicelib.models.messages import Conversation, Message, conversation_key
from chalicelib.models.notifications import Notification, ReadMark
from chalicelib.models.outbox import OutboxEntry
from chalicelib.models.posts import Comment, Like, Post
from chalicelib.models.rate_limits import RateLimit
from chalicelib.models.search import SearchEntry
from chalicelib.models.stories import Story
from chalicelib.models.timelines import FeedEntry, LargeFollow, StoryFeedEntry
from chalicelib.models.users import UniqueKey, User

ALL_MODELS = (
    User, UniqueKey, SearchEntry,
    Post, Like, Comment, Mark, Media,
    Follow, FollowRequest, Block, FeedEntry, StoryFeedEntry, LargeFollow, Story,
    Message, Conversation,
    Notification, ReadMark,
    Hashtag, HashtagPost,
    OutboxEntry,
    RateLimit,
    AccountToken,
    Export,
    LiveConnection,
)

__all__ = [model.__name__ for model in ALL_MODELS] + ["conversation_key"]
