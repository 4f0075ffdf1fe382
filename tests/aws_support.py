"""What the moto-backed tests share: the repository's root, the region the template is deployed to, and a
boto3 session on moto's account (``mock_aws``, in process: no socket)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[1]
REGION = "eu-central-1"


@contextmanager
def moto_session(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.session.Session]:
    """A session whose calls go to moto: a devstack ``AWS_ENDPOINT_URL`` left in the shell is removed first,
    and the credentials are dummies (moto accepts any)."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield boto3.session.Session(region_name=REGION, aws_access_key_id="t", aws_secret_access_key="t")
