"""PynamoDB models: one module per table. Tables are created by infra/
(CloudFormation in the cloud, infra.provision locally and in tests), never
here. ALL_MODELS is what infra reads to define them."""
from chalicelib.models.search import SearchEntry
from chalicelib.models.users import UniqueKey, User

ALL_MODELS = (User, UniqueKey, SearchEntry)
