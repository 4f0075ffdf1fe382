"""LocalStack plugins for ``make smoke`` (never deployed), found through the entry points of the dist-info
folder beside this package: ``smoke/localstack_plugins`` goes on the LocalStack process's PYTHONPATH, and
``importlib.metadata`` (plux) reads ``contact_intake_smoke_plugins-1.0.dist-info/entry_points.txt`` there.

- ``dynamodb:moto`` (``PROVIDER_OVERRIDE_DYNAMODB=moto``): DynamoDB served by moto, which LocalStack
  carries, instead of DynamoDB Local (Java, downloaded at run time).
- ``host-python`` (``LAMBDA_RUNTIME_EXECUTOR=host-python``): each Python handler runs as a host subprocess
  instead of in a Docker container.
"""
