"""Contact writes: invitations (pending -> accepted | denied | cancelled), contacts, blocks."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.selectors import user_active_exists
from apps.core import documents
from apps.core.errors import ApplicationError, NotFound
from apps.updates.services import updates_append

from . import events
from .errors import ContactError
from .models import Block, Contact, ContactListVersion, Invitation, PrivacySettings
from .selectors import are_contacts, blocked_either_way, contact_list_refill, privacy_of


def _pair(a: int, b: int) -> str:
    low, high = sorted((a, b))
    return f"{low}:{high}"


def _contact_lists_changed(*user_ids: int) -> None:
    for user_id in user_ids:
        ContactListVersion.objects.get_or_create(user_id=user_id)
    ContactListVersion.objects.filter(user_id__in=user_ids).update(version=F("version") + 1)
    transaction.on_commit(lambda: [contact_list_refill(user_id=user_id) for user_id in user_ids], robust=True)


def _notify(invitation: Invitation, *, user_ids) -> None:
    """Log the invitation's change for both people: callers run in `documents.transactional`,
    so the log rows (in the document store) commit or roll back with the invitation."""
    updates_append(
        user_ids=list(user_ids),
        kind=events.INVITATION.name,
        payload=events.INVITATION.payload(invitation=invitation_public(invitation)),
    )


def invitation_public(invitation: Invitation) -> dict:
    return {
        "id": invitation.pk,
        "from_user": invitation.from_user_id,
        "to_user": invitation.to_user_id,
        "status": invitation.status,
        "created_at": invitation.created_at.isoformat() if invitation.created_at else None,
        "decided_at": invitation.decided_at.isoformat() if invitation.decided_at else None,
    }


@documents.transactional
def invitation_send(*, from_user, to_user_id: int) -> tuple[Invitation, bool]:
    """(invitation, created). Inviting someone who already invited you accepts theirs."""
    if to_user_id == from_user.pk:
        raise ApplicationError(ContactError.CANNOT_INVITE_SELF, "You cannot invite yourself.", status=403)
    if not user_active_exists(user_id=to_user_id):
        raise NotFound("There is no such user.", code=ContactError.USER_NOT_FOUND)
    if blocked_either_way(user_id=from_user.pk, other_id=to_user_id):
        raise ApplicationError(ContactError.BLOCKED, "You cannot invite this user.", status=403)
    if are_contacts(user_id=from_user.pk, other_id=to_user_id):
        raise ApplicationError(ContactError.ALREADY_CONTACTS, "You are contacts already.", status=409)
    pair = _pair(from_user.pk, to_user_id)
    pending = (
        Invitation.objects.select_for_update().filter(pair=pair, status=Invitation.Status.PENDING).first()
    )
    if pending is not None:
        if pending.from_user_id == from_user.pk:
            return pending, False
        return _accept(pending), False
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                from_user_id=from_user.pk, to_user_id=to_user_id, pair=pair
            )
    except IntegrityError:  # a concurrent invitation of the same pair won
        invitation = Invitation.objects.get(pair=pair, status=Invitation.Status.PENDING)
        return (
            (invitation, False) if invitation.from_user_id == from_user.pk else (_accept(invitation), False)
        )
    _notify(invitation, user_ids=[to_user_id, from_user.pk])
    return invitation, True


def _locked_invitation(*, invitation_id: int, user_id: int) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update()
        .filter(Q(from_user_id=user_id) | Q(to_user_id=user_id), pk=invitation_id)
        .first()
    )
    if invitation is None:  # also for invitations between others: their existence is not ours to know
        raise NotFound("There is no such invitation.", code=ContactError.INVITATION_NOT_FOUND)
    return invitation


def _decide(invitation: Invitation, status: str) -> Invitation:
    if invitation.status != Invitation.Status.PENDING:
        raise ApplicationError(
            ContactError.INVITATION_NOT_PENDING,
            f"This invitation is already {invitation.status}.",
            status=409,
        )
    invitation.status = status
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])
    _notify(invitation, user_ids=[invitation.from_user_id, invitation.to_user_id])
    return invitation


def _accept(invitation: Invitation) -> Invitation:
    _decide(invitation, Invitation.Status.ACCEPTED)
    a, b = invitation.from_user_id, invitation.to_user_id
    Contact.objects.bulk_create(
        [Contact(owner_id=a, contact_id=b), Contact(owner_id=b, contact_id=a)], ignore_conflicts=True
    )
    _contact_lists_changed(a, b)
    return invitation


@documents.transactional
def invitation_accept(*, user, invitation_id: int) -> Invitation:
    invitation = _locked_invitation(invitation_id=invitation_id, user_id=user.pk)
    if invitation.to_user_id != user.pk:
        raise ApplicationError(ContactError.NOT_INVITEE, "Only the invited user can accept.", status=403)
    if invitation.status == Invitation.Status.PENDING and blocked_either_way(
        user_id=invitation.from_user_id, other_id=invitation.to_user_id
    ):
        raise ApplicationError(ContactError.BLOCKED, "You cannot accept this invitation.", status=403)
    return _accept(invitation)


@documents.transactional
def invitation_deny(*, user, invitation_id: int) -> Invitation:
    invitation = _locked_invitation(invitation_id=invitation_id, user_id=user.pk)
    if invitation.to_user_id != user.pk:
        raise ApplicationError(ContactError.NOT_INVITEE, "Only the invited user can deny.", status=403)
    return _decide(invitation, Invitation.Status.DENIED)


@documents.transactional
def invitation_cancel(*, user, invitation_id: int) -> Invitation:
    invitation = _locked_invitation(invitation_id=invitation_id, user_id=user.pk)
    if invitation.from_user_id != user.pk:
        raise ApplicationError(ContactError.NOT_INVITER, "Only the inviting user can cancel.", status=403)
    return _decide(invitation, Invitation.Status.CANCELLED)


@transaction.atomic
def contact_remove(*, user, contact_id: int) -> None:
    removed, _ = Contact.objects.filter(
        Q(owner_id=user.pk, contact_id=contact_id) | Q(owner_id=contact_id, contact_id=user.pk)
    ).delete()
    if not removed:
        raise NotFound("This user is not in your contacts.", code=ContactError.NOT_A_CONTACT)
    _contact_lists_changed(user.pk, contact_id)


@documents.transactional
def user_block(*, user, blocked_id: int) -> bool:
    """Block `blocked_id`: they can no longer invite you, write to you or see your profile and
    presence. Pending invitations between you end. True if newly blocked."""
    if blocked_id == user.pk:
        raise ApplicationError(ContactError.CANNOT_BLOCK_SELF, "You cannot block yourself.", status=403)
    if not user_active_exists(user_id=blocked_id):
        raise NotFound("There is no such user.", code=ContactError.USER_NOT_FOUND)
    _, created = Block.objects.get_or_create(blocker_id=user.pk, blocked_id=blocked_id)
    pending = Invitation.objects.select_for_update().filter(
        pair=_pair(user.pk, blocked_id), status=Invitation.Status.PENDING
    )
    for invitation in pending:
        mine = invitation.from_user_id == user.pk
        _decide(invitation, Invitation.Status.CANCELLED if mine else Invitation.Status.DENIED)
    return created


def privacy_update(*, user, groups: str) -> dict:
    """Set who may add `user` to groups (PrivacySettings.Audience)."""
    PrivacySettings.objects.update_or_create(user_id=user.pk, defaults={"groups": groups})
    return privacy_of(user_id=user.pk)


@transaction.atomic
def user_unblock(*, user, blocked_id: int) -> None:
    removed, _ = Block.objects.filter(blocker_id=user.pk, blocked_id=blocked_id).delete()
    if not removed:
        raise NotFound("You have not blocked this user.", code=ContactError.USER_NOT_FOUND)


@transaction.atomic
def contacts_erase(*, user_id: int) -> int:
    """Every contact, invitation and block the user had, in both directions; how many rows."""
    owners = list(Contact.objects.filter(contact_id=user_id).values_list("owner_id", flat=True))
    removed = 0
    for queryset in (
        Contact.objects.filter(Q(owner_id=user_id) | Q(contact_id=user_id)),
        Invitation.objects.filter(Q(from_user_id=user_id) | Q(to_user_id=user_id)),
        Block.objects.filter(Q(blocker_id=user_id) | Q(blocked_id=user_id)),
    ):
        removed += queryset.delete()[0]
    _contact_lists_changed(user_id, *owners)
    return removed
