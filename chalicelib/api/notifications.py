from chalicelib.api.http import ApiBlueprint

api = ApiBlueprint(__name__)
