from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import StatusResponse

api = ApiBlueprint(__name__, tag="health")


@api.route("/api/health", methods=["GET"], response=StatusResponse, summary="Readiness")
def health():
    return {"status": "ok"}
