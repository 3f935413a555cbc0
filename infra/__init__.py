"""The AWS resources of one stage: defined once (resources.py), rendered as
CloudFormation for deployment (cloudformation.py) and created through the
AWS API against moto for tests and the local stack (provision.py)."""
