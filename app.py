"""The Chalice app: what it serves and what it consumes. Nothing else."""
from chalice import Chalice

from chalicelib.api import auth, health, search
from chalicelib.api.http import error_middleware
from chalicelib.consumers import consumers

app = Chalice(app_name="instagram")
app.register_middleware(error_middleware, "http")

app.register_blueprint(health.api)
app.register_blueprint(auth.api)
app.register_blueprint(search.api)

app.register_blueprint(consumers)
