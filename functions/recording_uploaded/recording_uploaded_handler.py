"""RecordingUploadedFunction: S3's "Object Created" events of RecordingsBucket (through EventBridge).

A thin adapter over UploadConfirmer: the object becomes a stored recording when a pending ledger entry waits
for it, and is deleted otherwise. A failure raises, so Lambda retries the event (then RecordingEventsDLQ).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contact_intake.core.observability import logger, metrics
from contact_intake.recordings.settings import RecordingUploadedSettings
from contact_intake.recordings.wiring import RecordingUploadedWiring

settings = (
    RecordingUploadedSettings.from_env()
)  # a bad configuration fails here, at init, naming the variable
wiring = RecordingUploadedWiring(settings)


class _Named(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1)


class _Object(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: str = Field(min_length=1)
    size: int = Field(ge=0)


class _Detail(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bucket: _Named
    object: _Object


class ObjectCreated(BaseModel):
    """What this function reads of S3's EventBridge event (events/recording_uploaded_object_created.json)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    detail_type: str = Field(alias="detail-type", pattern="^Object Created$")
    source: str = Field(pattern="^aws.s3$")
    time: AwareDatetime
    detail: _Detail


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    created = ObjectCreated.model_validate(event)
    when: datetime = created.time
    outcome = wiring.uploads.confirm(
        bucket=created.detail.bucket.name,
        key=created.detail.object.key,
        size=created.detail.object.size,
        created_at=when,
    )
    return {"outcome": str(outcome)}
