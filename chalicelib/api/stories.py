from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import CreateStoryRequest, PageQuery, StoryResponse
from chalicelib.commands import stories as commands
from chalicelib.queries import stories

api = ApiBlueprint(__name__, tag="stories")


@api.route("/api/stories", methods=["POST"], status=201, body=CreateStoryRequest, response=StoryResponse,
           auth=True, write=True, summary="Post a story (visible 24 hours)")
def create_story(caller, body):
    return commands.create_story(caller, body.image_url, body.content, body.media_id)


@api.route("/api/stories", methods=["GET"], query=PageQuery, response=[StoryResponse], auth=True,
           summary="My active stories, newest first")
def my_stories(caller, query):
    return stories.my_stories(caller.user_id, query.page())


@api.route("/api/stories/feed", methods=["GET"], query=PageQuery, response=[StoryResponse], auth=True,
           summary="Active stories of me and whom I follow")
def story_feed(caller, query):
    return stories.story_feed(caller.user_id, query.page())


@api.route("/api/stories/{story_id}", methods=["DELETE"], status=204, response=None, errors=(403,), auth=True,
           write=True, summary="Delete my story")
def delete_story(caller, story_id):
    commands.delete_story(caller.user_id, story_id)
