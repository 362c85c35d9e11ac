"""Reactions to messages: a member adds an emoji to a message or takes it back; every member is
told (`message.reactions`, in the update log), and the message carries them from then on.

A message keeps its reactions itself ({emoji: [user ids]}, encrypted with the row), changed
under the message's row lock, so a history page needs no other query and the history cache
stays right (each change bumps the message's version)."""

from __future__ import annotations

from django.conf import settings

from apps.core import documents
from apps.core.errors import ApplicationError, PermissionDenied
from apps.updates.services import updates_append

from .. import events
from ..errors import ChatError
from ..history import HISTORY
from ..selectors import allowed_reactions
from ._common import locked_message, member_rows, rendered, require_member


@documents.transactional
def message_react(*, user, chat_id: int, message_id: int, emoji: str, add: bool = True) -> dict:
    """Add `emoji` to the message (or, with `add=False`, take it back); the message as it is
    after. Doing what is done already changes nothing and tells nobody."""
    members = member_rows(chat_id)
    membership = require_member(members, user.pk)
    message = locked_message(chat_id, message_id)
    if message.deleted:
        raise ApplicationError(ChatError.MESSAGE_DELETED, "This message was deleted.", status=409)
    reactions = {emoji_: list(users) for emoji_, users in (message.reactions or {}).items()}
    given = reactions.get(emoji, [])
    if add == (user.pk in given):
        return rendered(message)[1]
    if add:
        if emoji not in allowed_reactions(membership.chat):
            raise PermissionDenied(
                "This group does not allow that reaction.", code=ChatError.REACTION_NOT_ALLOWED
            )
        mine = sum(user.pk in users for users in reactions.values())
        if mine >= settings.REACTIONS_PER_PERSON:
            raise ApplicationError(
                ChatError.TOO_MANY_REACTIONS,
                f"You can give at most {settings.REACTIONS_PER_PERSON} reactions to a message: "
                "take one back first.",
                status=409,
            )
        reactions[emoji] = [*given, user.pk]
    else:
        given.remove(user.pk)
        if given:
            reactions[emoji] = given
        else:
            del reactions[emoji]
    message.reactions = reactions
    message.version += 1
    message.save(update_fields=["reactions", "version"])
    stored, public = rendered(message)
    updates_append(
        user_ids=list(members),
        kind=events.MESSAGE_REACTIONS.name,
        payload=events.MESSAGE_REACTIONS.payload(
            chat_id=chat_id,
            message_id=public["id"],
            seq=message.seq,
            reactions=public["reactions"],
            user_id=user.pk,
            emoji=emoji,
            added=add,
        ),
    )
    HISTORY.merge_after_commit(message.chat_id, stored)
    return public
