"""What each service emits, against the catalogue of events (apps.core.catalogue): which
updates each person's log gets (read back as a client reads them, `updates/?since=`), which
live frames reach the sockets, which domain events go to the outbox, and that each has exactly
its declared fields. As Zulip's test_events.py does for its events. The last test checks that
every declared event was seen here, and that docs/events.md is the catalogue as declared."""

import json
import uuid
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command

from apps.accounts import services as accounts
from apps.broadcasts import services as broadcasts
from apps.chats import services as chats
from apps.contacts import services as contacts
from apps.core.catalogue import CATALOGUE, Channel, catalogue_markdown
from apps.core.events import subject_for
from apps.core.models import OutboxEvent
from apps.updates.selectors import updates_since, updates_state
from telegram.asgi import application
from tests.factories import UserFactory

SEEN: set[str] = set()  # every event a test below saw, checked by the last test
ROOT = Path(__file__).resolve().parents[2]


def conforms(event: dict, channel: Channel) -> str:
    """The event's name, after checking it has exactly its declared fields."""
    declared = CATALOGUE[event["type"]]
    assert declared.channel == channel
    envelope = {"type", "pts"} if channel == Channel.UPDATE else {"type"}
    assert event.keys() == declared.fields.keys() | envelope, event
    SEEN.add(declared.name)
    return declared.name


def emitted(people, action) -> tuple[dict[str, list[str]], list[str]]:
    """Run `action`: ({username: the updates their log got, by type}, the domain events)."""
    since = {person.id: updates_state(user_id=person.id) for person in people}
    outbox_before = set(OutboxEvent.objects.values_list("pk", flat=True))
    action()
    updates = {
        person.username: [
            conforms(update, Channel.UPDATE)
            for update in updates_since(user_id=person.id, since=since[person.id])["updates"]
        ]
        for person in people
    }
    domain = []
    for row in OutboxEvent.objects.exclude(pk__in=outbox_before).order_by("pk"):
        name = row.subject.removeprefix(subject_for(""))
        conforms({"type": name, **row.payload}, Channel.DOMAIN)
        domain.append(name)
    return updates, domain


EVERYONE = ("ann", "ben", "cat", "dan")


def got(kinds: list[str], *names: str) -> dict[str, list[str]]:
    """What `emitted` finds when the people `names` got `kinds`, and the others nothing."""
    return {name: list(kinds) if name in names else [] for name in EVERYONE}


@pytest.fixture
def people(db):
    return [UserFactory(username=name) for name in ("ann", "ben", "cat", "dan")]


@pytest.fixture
def group(people):
    ann, ben, cat, _dan = people
    return chats.chat_group_create(creator=ann, title="Trio", member_ids=[ben.id, cat.id])


def test_creating_a_group_tells_everyone_in_it_and_nobody_else(people):
    ann, ben, cat, _dan = people

    updates, domain = emitted(
        people, lambda: chats.chat_group_create(creator=ann, title="Trio", member_ids=[ben.id, cat.id])
    )

    assert updates == got(["chat.member.added"], "ann", "ben", "cat")
    assert domain == []


def test_a_message_its_edit_and_its_deletes(people, group):
    ann, _ben, cat, _dan = people
    sent = {}

    def send():
        sent["message"] = chats.message_send(sender=ann, chat_id=group.id, text="hello")[0]

    on_send, domain = emitted(people, send)
    message_id = sent["message"]["id"]
    on_edit, _ = emitted(
        people, lambda: chats.message_edit(user=ann, chat_id=group.id, message_id=message_id, text="hi")
    )
    for_me, _ = emitted(
        people,
        lambda: chats.message_delete(user=cat, chat_id=group.id, message_id=message_id, for_everyone=False),
    )
    for_everyone, _ = emitted(
        people,
        lambda: chats.message_delete(user=ann, chat_id=group.id, message_id=message_id, for_everyone=True),
    )

    members = ("ann", "ben", "cat")
    assert on_send == got(["message.new"], *members)
    # The members with no socket open get a push: one domain event names them.
    assert domain == ["chats.message.created"]
    assert on_edit == got(["message.edited"], *members)
    assert for_me == got(["message.deleted"], "cat")
    assert for_everyone == got(["message.deleted"], *members)


def test_a_reaction_and_taking_it_back_tell_every_member(people, group):
    ann, ben, *_ = people
    message_id = chats.message_send(sender=ann, chat_id=group.id, text="picnic?")[0]["id"]

    def react(add):
        return emitted(
            people,
            lambda: chats.message_react(
                user=ben, chat_id=group.id, message_id=message_id, emoji="👍", add=add
            ),
        )[0]

    assert react(True) == got(["message.reactions"], "ann", "ben", "cat")
    assert react(True) == got([])  # given already
    assert react(False) == got(["message.reactions"], "ann", "ben", "cat")


def test_pinning_and_unpinning_tell_every_member(people, group):
    ann, *_ = people
    message_id = chats.message_send(sender=ann, chat_id=group.id, text="rules")[0]["id"]

    def pin(pinned):
        return emitted(
            people,
            lambda: chats.message_pin(user=ann, chat_id=group.id, message_id=message_id, pinned=pinned),
        )[0]

    assert pin(True) == got(["chat.pins"], "ann", "ben", "cat")
    assert pin(True) == got([])  # pinned already
    assert pin(False) == got(["chat.pins"], "ann", "ben", "cat")


def test_a_schedule_tells_only_its_sender(people, group):
    from datetime import timedelta

    from django.utils import timezone

    ann, *_ = people
    at = timezone.now() + timedelta(hours=1)

    made, _ = emitted(
        people, lambda: chats.scheduled_create(user=ann, chat_id=group.id, send_at=at, text="hi")
    )
    scheduled_id = chats.scheduled_list(user_id=ann.id)[0]["id"]
    cancelled, _ = emitted(people, lambda: chats.scheduled_cancel(user=ann, scheduled_id=scheduled_id))

    assert made == got(["scheduled.updated"], "ann")
    assert cancelled == got(["scheduled.updated"], "ann")


def test_a_takedown_tells_every_member(people, group):
    ann, *_ = people
    message = chats.message_send(sender=ann, chat_id=group.id, text="spam")[0]

    updates, domain = emitted(people, lambda: chats.message_takedown(message_id=int(message["id"])))

    assert updates == got(["message.deleted"], "ann", "ben", "cat")
    assert domain == []


def test_reading_tells_every_member_once_the_position_moves(people, group):
    ann, ben, *_ = people
    chats.message_send(sender=ann, chat_id=group.id, text="one")

    moved, _ = emitted(people, lambda: chats.chat_read(user=ben, chat_id=group.id, seq=1))
    again, _ = emitted(people, lambda: chats.chat_read(user=ben, chat_id=group.id, seq=1))

    assert moved == got(["read"], "ann", "ben", "cat")
    assert again == got([])


def test_changing_a_group(people, group):
    ann, ben, cat, dan = people

    renamed, _ = emitted(people, lambda: chats.chat_update(user=ann, chat_id=group.id, title="Four"))
    added, _ = emitted(people, lambda: chats.chat_members_add(actor=ann, chat_id=group.id, user_ids=[dan.id]))
    promoted, _ = emitted(
        people, lambda: chats.chat_member_set_role(actor=ann, chat_id=group.id, user_id=ben.id, role="admin")
    )
    removed, _ = emitted(
        people, lambda: chats.chat_member_remove(actor=ann, chat_id=group.id, user_id=cat.id)
    )

    assert renamed == got(["chat.updated"], "ann", "ben", "cat")
    assert added == got(["chat.member.added"], *EVERYONE)
    assert promoted == got(["chat.member.role"], *EVERYONE)
    assert removed == got(["chat.member.removed"], *EVERYONE)  # cat is told too


def test_contact_invitations_tell_both_people(people):
    ann, ben, *_ = people
    sent = {}

    def invite():
        sent["invitation"] = contacts.invitation_send(from_user=ann, to_user_id=ben.id)[0]

    on_invite, domain = emitted(people, invite)
    on_accept, _ = emitted(
        people, lambda: contacts.invitation_accept(user=ben, invitation_id=sent["invitation"].pk)
    )

    assert on_invite == got(["contact.invitation"], "ann", "ben")
    assert on_accept == got(["contact.invitation"], "ann", "ben")
    assert domain == []


def test_a_post_is_a_domain_event_and_no_update(people):
    ann, ben, *_ = people
    channel = broadcasts.channel_create(owner=ann, handle="ann_news", title="News")
    broadcasts.channel_subscribe(user=ben, channel_id=channel.pk)

    updates, domain = emitted(
        people, lambda: broadcasts.post_create(user=ann, channel_id=channel.pk, text="hi")
    )

    assert updates == got([])
    assert domain == ["channels.post.created"]


@pytest.mark.django_db(transaction=True)
async def test_live_frames_typing_and_presence():
    db = database_sync_to_async
    ann = await db(UserFactory)(username="ann")
    ben = await db(UserFactory)(username="ben")
    chat, _ = await db(chats.chat_direct_open)(user=ann, peer_id=ben.id)

    async def socket(user):
        token = (await db(accounts.tokens_issue)(user=user))["access"]
        communicator = WebsocketCommunicator(application, f"/ws/?token={token}")
        assert (await communicator.connect())[0]
        return communicator

    bens = await socket(ben)
    anns = await socket(ann)
    online = json.loads(await bens.receive_from(timeout=3))
    await anns.send_json_to({"type": "typing", "chat_id": chat.id, "ref": str(uuid.uuid4())})
    typing = json.loads(await bens.receive_from(timeout=3))

    assert conforms(online, Channel.FRAME) == "presence"
    assert (online["user_id"], online["status"]) == (ann.id, "online")
    assert conforms(typing, Channel.FRAME) == "typing"
    assert (typing["chat_id"], typing["user_id"]) == (chat.id, ann.id)
    await anns.disconnect()
    offline = json.loads(await bens.receive_from(timeout=3))
    assert conforms(offline, Channel.FRAME) == "presence"
    assert offline["status"] == "offline"
    assert offline["last_seen"]
    await bens.disconnect()


def test_every_declared_event_was_seen_above_and_docs_events_md_is_the_catalogue(capsys):
    """Last in this module: the tests above saw every declared event."""
    assert SEEN == set(CATALOGUE), f"declared but never emitted above: {set(CATALOGUE) - SEEN}"
    call_command("events_catalogue")
    written = (ROOT / "docs" / "events.md").read_text()
    assert written == catalogue_markdown() == capsys.readouterr().out, (
        "docs/events.md is stale: python manage.py events_catalogue > docs/events.md"
    )
