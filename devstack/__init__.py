"""devstack: the whole system on one machine, no AWS account, no Docker (docs/architecture.md §8, a contract).

moto plays AWS, each Lambda function runs in its own worker process, a small API Gateway emulation routes
the template's API events to them, and emulators under ``/_local/`` stand in for third parties.
Never deployed.
"""
