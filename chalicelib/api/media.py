from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import CreateMediaRequest, MediaResponse, NewMediaResponse
from chalicelib.commands import media as commands
from chalicelib.queries import media as queries

api = ApiBlueprint(__name__, tag="media")


@api.route("/api/media", methods=["POST"], status=201, body=CreateMediaRequest, response=NewMediaResponse,
           auth=True, write=True, summary="Start a photo upload: a form to POST the file to")
def create_media(caller, body):
    return commands.request_upload(caller.user_id, body.content_type, body.size_bytes)


@api.route("/api/media/{media_id}", methods=["GET"], response=MediaResponse, auth=True,
           summary="One of my uploads: pending, ready or rejected")
def get_media(caller, media_id):
    return queries.media_of(caller.user_id, media_id)
