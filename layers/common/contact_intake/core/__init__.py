"""Shared by every capability: typed errors, clients, secrets, settings base, observability, the subject key,
retention as a pure function, the DynamoDB helpers and the SnapStart hooks. Imports no other part."""
