from chalicelib.api.http import ApiBlueprint

api = ApiBlueprint(__name__)


@api.route("/api/health", methods=["GET"])
def health():
    return {"status": "ok"}
