"""`GET /local/mail`: the mails the local stage sent, so that a person
(or `make smoke`) can follow their links. A plain Chalice route, outside
the API's contract and its OpenAPI document; on any other stage it is a
404, as if it did not exist."""
from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import local_mail
from chalicelib.api.http import ApiError, parse_query
from chalicelib.config import LOCAL_STAGE, stage

api = Blueprint(__name__)


class MailQuery(BaseModel):
    to: str = Field(min_length=1, max_length=254)


@api.route("/local/mail", methods=["GET"])
def mail():
    if stage() != LOCAL_STAGE:
        raise ApiError(404, "Not Found")
    return local_mail.mails_to(parse_query(api.current_request, MailQuery).to)
