from chalicelib.api.http import (
    ApiBlueprint,
    authenticated_user,
    authenticated_user_id,
    json_response,
    no_content,
    paged_response,
    parse_body,
    parse_query,
    path_id,
)
from chalicelib.api.schemas import CreateStoryRequest, PageQuery, story_response
from chalicelib.commands import stories as commands
from chalicelib.queries import stories

api = ApiBlueprint(__name__)


@api.route("/api/stories", methods=["POST"])
def create_story():
    author = authenticated_user(api.current_request)
    body = parse_body(api.current_request, CreateStoryRequest)
    story = commands.create_story(author, body.image_url, body.content)
    return json_response(story_response(story), status=201)


@api.route("/api/stories", methods=["GET"])
def my_stories():
    user_id = authenticated_user_id(api.current_request)
    query = parse_query(api.current_request, PageQuery)
    return paged_response(stories.my_stories(user_id, query.page()), story_response)


@api.route("/api/stories/feed", methods=["GET"])
def story_feed():
    user_id = authenticated_user_id(api.current_request)
    query = parse_query(api.current_request, PageQuery)
    return paged_response(stories.story_feed(user_id, query.page()), story_response)


@api.route("/api/stories/{story_id}", methods=["DELETE"])
def delete_story(story_id):
    user_id = authenticated_user_id(api.current_request)
    commands.delete_story(user_id, path_id(story_id, "Story"))
    return no_content()
