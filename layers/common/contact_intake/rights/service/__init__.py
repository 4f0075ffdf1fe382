"""The rights engine: requests come in (by e-mail or through the DPO), are verified by mailbox control,
queued for the worker, and handled by the DPO's decisions (docs/architecture.md §7).

Promises kept here:

- **Nothing is revealed to a sender.** ``receive`` never looks at what data exists: every address gets the
  same acknowledgement with a verification link, through the same calls (a PutItem, a SendEmail and an
  UpdateItem), so neither the mail nor its timing says whether we hold anything.
- **One live link per address.** With an AcknowledgementLimit (the e-mail channel), a mail from an address
  whose last link is still live, or that had its daily cap of acknowledgements, is stored and audited
  (``acknowledgement_suppressed``) but gets no mail: forged mail cannot make us mail-bomb anyone. What
  decides is only what was sent to the address before, never what data exists.
- **Data only to a verified mailbox.** A request runs only after its single-use link was followed (or the
  DPO verified the person); the worker answers to the stored address, never to a ``From:`` line.
- **Deadlines.** Due one calendar month after receipt; one extension by up to two months, with reasons,
  notified inside the first month; a refusal states reasons and the right to complain (Art. 12(3)-(4)).
- **Notify, then record.** A DPO action mails the person first and records the state change and its audit
  entry in one conditional write afterwards: a failure can at worst repeat a notification, never lose one.
  Work is queued after the write; when the queue refuses, the write is undone (audited) and the caller
  gets a 503, so a retry starts from the same state.
"""

from __future__ import annotations

from contact_intake.rights.service.decisions import Decisions, ListedRequest
from contact_intake.rights.service.receiving import Receiving
from contact_intake.rights.service.verification import Verification

# the one object the wiring builds, and the type its list of requests is made of
__all__ = ["ListedRequest", "RightsService"]


class RightsService(Receiving, Verification, Decisions):
    """The rights engine's operations, one use case a module: requests coming in (``receiving``), the
    verification link (``verification``), the DPO's decisions (``decisions``), on the collaborators and
    shared steps of ``base``. Collaborators are injected (contact_intake.rights.wiring)."""
