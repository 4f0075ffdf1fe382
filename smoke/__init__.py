"""make smoke: the built template deployed as a CloudFormation stack on LocalStack, exercised, torn down.

No AWS account and no Docker: LocalStack's open-source core runs as a host process in its own venv
(.venv-smoke), with the two small plugins in ``smoke/localstack_plugins`` (DynamoDB from moto, Lambda
handlers as host subprocesses). What this proves and what only AWS can: docs/deploying.md.
"""
