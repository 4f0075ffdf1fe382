"""AWS and HTTP clients, built lazily and once per container (boto3 client creation is the largest
share of init time, so a function only pays for the clients its first request uses).

``AWS_ENDPOINT_URL`` (honoured by botocore itself) points every client at devstack's moto locally.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3
    import requests
    import urllib3
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_sesv2.client import SESV2Client
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_ssm.client import SSMClient

USER_AGENT = "contact-intake/0.1 (+https://github.com/)"


class Clients:
    """One container's clients. Each attribute is built on first use and reused afterwards."""

    @cached_property
    def boto_session(self) -> boto3.session.Session:
        import boto3

        return boto3.session.Session()

    @cached_property
    def _boto_config(self) -> Any:
        from botocore.config import Config

        return Config(
            connect_timeout=2,
            read_timeout=5,
            retries={"mode": "standard", "max_attempts": 3},
            tcp_keepalive=True,
        )

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return self.boto_session.client("dynamodb", config=self._boto_config)

    @cached_property
    def sqs(self) -> SQSClient:
        return self.boto_session.client("sqs", config=self._boto_config)

    @cached_property
    def s3(self) -> S3Client:
        return self.boto_session.client("s3", config=self._boto_config)

    @cached_property
    def s3_presigner(self) -> S3Client:
        """S3 for presigned URLs, SigV4 on the regional virtual-hosted endpoint (bucket.s3.<region>...).
        Left to itself botocore presigns for the global s3.amazonaws.com, which redirects requests for a
        new bucket outside us-east-1, and a redirected presigned PUT fails its signature. AWS_ENDPOINT_URL
        (devstack's moto) still wins, with path-style URLs."""
        from botocore.config import Config

        config = self._boto_config.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
        return self.boto_session.client("s3", config=config)

    @cached_property
    def sesv2(self) -> SESV2Client:
        return self.boto_session.client("sesv2", config=self._boto_config)

    @cached_property
    def ssm(self) -> SSMClient:
        return self.boto_session.client("ssm", config=self._boto_config)

    @cached_property
    def http_pool(self) -> urllib3.PoolManager:
        """urllib3 (botocore's own HTTP library, so already loaded) for siteverify: one form POST does not
        need `requests` (docs/decisions.md D90). The CA bundle is certifi's, as `requests` and botocore
        use."""
        import certifi
        import urllib3

        return urllib3.PoolManager(
            headers={"User-Agent": USER_AGENT}, cert_reqs="CERT_REQUIRED", ca_certs=certifi.where()
        )

    @cached_property
    def http(self) -> requests.Session:
        import requests

        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        return session
