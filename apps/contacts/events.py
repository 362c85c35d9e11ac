"""The contacts app's events (the catalogue: apps.core.catalogue, docs/events.md)."""

from __future__ import annotations

from apps.core.catalogue import Channel, declare

INVITATION = declare(
    "contact.invitation",
    Channel.UPDATE,
    app="contacts",
    summary="A contact invitation to or from you was sent, accepted, denied or cancelled (to both).",
    fields={
        "invitation": "`{id, from_user, to_user, status, created_at, decided_at}`, as "
        "`GET contacts/invitations/` shows it.",
    },
)
