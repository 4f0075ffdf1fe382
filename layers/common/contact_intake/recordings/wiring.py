"""The call recordings' collaborators, built lazily once per container and replaceable in tests.

``RecordingsStorageWiring`` is what any function needs to withdraw, erase or list a person's recordings: the
rights worker builds one from its settings (which take RecordingsStorageSettings as a base) and calls
``.rights``. RecordingsFunction and RecordingUploadedFunction build theirs on it.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from contact_intake.core.secrets import SecretReader
from contact_intake.core.wiring import Wiring
from contact_intake.recordings.models import Purpose, RetentionPolicy
from contact_intake.recordings.service import RecordingsRights, RecordingsService, UploadConfirmer
from contact_intake.recordings.settings import (
    RecordingsStorageSettings,
)
from contact_intake.recordings.store import AudioStore, RecordingLedger

if TYPE_CHECKING:
    from contact_intake.intake.accounts import AccountStore
    from contact_intake.recordings.settings import (  # noqa: F401  (base classes' arguments)
        RecordingsSettings,
        RecordingUploadedSettings,
    )


def retention_policy(settings: RecordingsStorageSettings) -> RetentionPolicy:
    return RetentionPolicy(
        days={
            Purpose.TRAINING: settings.training_retention_days,
            Purpose.QUALITY: settings.quality_retention_days,
            Purpose.AGREEMENT_DOCUMENTATION: settings.agreement_retention_days,
        },
        proof=timedelta(days=settings.recording_proof_days),
    )


RS = TypeVar("RS", bound="RecordingsStorageSettings")


class RecordingsStorageWiring(Wiring[RS]):
    @cached_property
    def retention(self) -> RetentionPolicy:
        return retention_policy(self.settings)

    @cached_property
    def ledger(self) -> RecordingLedger:
        return RecordingLedger(
            table_name=self.settings.recordings_table, client=lambda: self.clients.dynamodb, clock=self.clock
        )

    @cached_property
    def audio(self) -> AudioStore:
        return AudioStore(
            bucket=self.settings.recordings_bucket,
            client=lambda: self.clients.s3,
            presigner=lambda: self.clients.s3_presigner,
        )

    @cached_property
    def rights(self) -> RecordingsRights:
        """withdraw_consent / erase_recordings / list_recordings by subject key."""
        return RecordingsRights(
            ledger=self.ledger, audio=self.audio, retention=self.retention, clock=self.clock
        )


class RecordingsWiring(RecordingsStorageWiring["RecordingsSettings"]):
    """RecordingsFunction's collaborators."""

    @cached_property
    def secrets(self) -> SecretReader:
        return SecretReader(max_age_seconds=self.settings.secrets_max_age_seconds)

    @cached_property
    def accounts(self) -> AccountStore:
        from contact_intake.intake.accounts import AccountStore

        return AccountStore(table_name=self.settings.accounts_table, client=lambda: self.clients.dynamodb)

    @cached_property
    def recordings(self) -> RecordingsService:
        return RecordingsService(
            ledger=self.ledger,
            audio=self.audio,
            accounts=self.accounts,
            pepper=lambda: self.secrets.bytes(self.settings.subject_pepper_param),
            retention=self.retention,
            max_bytes=self.settings.recording_max_bytes,
            clock=self.clock,
        )


class RecordingUploadedWiring(RecordingsStorageWiring["RecordingUploadedSettings"]):
    """RecordingUploadedFunction's collaborators."""

    @cached_property
    def uploads(self) -> UploadConfirmer:
        return UploadConfirmer(
            ledger=self.ledger,
            audio=self.audio,
            retention=self.retention,
            max_bytes=self.settings.recording_max_bytes,
            clock=self.clock,
        )
