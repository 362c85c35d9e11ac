"""Demo data to try the product with: people, contacts, direct and group chats with messages,
and channels with posts and comments. Everything goes through the services, as real use does."""

import itertools
import random
import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.accounts import services as accounts
from apps.accounts.models import User
from apps.broadcasts import services as broadcasts
from apps.chats import services as chats
from apps.contacts import services as contacts
from apps.core.events import outbox_wait
from apps.profiles.services import profile_update

FIRST = "Ada Bo Cyd Dee Eli Fay Gus Hal Ida Jon Kai Lea Max Nia Oto Pia Quy Ren Sol Tea".split()
LINES = [
    "Morning! Coffee later?",
    "Did you see the news?",
    "Sending the notes in a minute.",
    "That works for me.",
    "Can we move it to Thursday?",
    "Great idea, let's do it.",
]
CHANNELS = [
    ("demo_news", "Demo news", "What is new in the demo"),
    ("demo_recipes", "Recipes", "One dish a day"),
]


class Command(BaseCommand):
    help = "Create demo people, contacts, chats, channels and posts (usernames demo_01, demo_02, ...)."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=8, help="how many people (2-99, default 8)")
        parser.add_argument("--password", help="their password (default: a new random one, printed)")
        parser.add_argument("--seed", type=int, default=1, help="random seed, for the same data every time")
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be created, create nothing"
        )

    def handle(self, *args, users, password, seed, dry_run, **options):
        if not 2 <= users <= 99:
            raise CommandError("--users takes 2 to 99.")
        if User.objects.filter(username__istartswith="demo_").exists():
            raise CommandError(
                "Demo data exists already (users demo_*). Remove those users first, or use another database."
            )
        plan = (
            f"{users} people, {users - 1} contact pairs, {users} chats (direct and one group) with messages, "
            f"{len(CHANNELS)} channels with 3 posts each"
        )
        if dry_run:
            self.stdout.write(f"Would create {plan}. Nothing was written (--dry-run).")
            return
        rng = random.Random(seed)  # noqa: S311 (picks demo lines, not secrets)
        password = password or secrets.token_urlsafe(12)
        with transaction.atomic():
            people = self._people(users, password)
            self._contacts_and_chats(people, rng)
            self._channels(people, rng)
        # The events of the new messages and posts are published in the background: let them
        # finish, so that whatever they log comes before the summary, not after it.
        outbox_wait()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Created {plan}."))
        self.stdout.write(f"  people:    demo_01 ... demo_{users:02d}")
        self.stdout.write(f"  password:  {password}")
        self.stdout.write(
            "  open:      the web client at / (http://127.0.0.1:8000/ under `make run`): sign in as"
        )
        self.stdout.write("             demo_01 with that password, and as demo_02 in another browser")
        self.stdout.write(
            "  also:      the API docs at /api/docs/, the WebSocket at /ws/ (docs/websocket.md)"
        )

    def _step(self, label: str, done: int, total: int) -> None:
        """Progress on one line that counts up at a terminal; one line a stage elsewhere."""
        if self.stdout.isatty():
            self.stdout.write(f"\r{label}: {done}/{total}", ending="\n" if done == total else "")
            self.stdout.flush()
        elif done == total:
            self.stdout.write(f"{label}: {done}/{total}")

    def _people(self, count: int, password: str) -> list[User]:
        people = []
        for index in range(1, count + 1):
            user = accounts.user_register(username=f"demo_{index:02d}", password=password)
            profile_update(
                user=user, display_name=f"{FIRST[(index - 1) % len(FIRST)]} Demo", bio="A demo account"
            )
            people.append(user)
            self._step("people", index, count)
        return people

    def _contacts_and_chats(self, people: list[User], rng: random.Random) -> None:
        pairs = list(itertools.pairwise(people))
        for done, (a, b) in enumerate(pairs, start=1):
            invitation, _ = contacts.invitation_send(from_user=a, to_user_id=b.pk)
            contacts.invitation_accept(user=b, invitation_id=invitation.pk)
            chat, _ = chats.chat_direct_open(user=a, peer_id=b.pk)
            for sender in (a, b, a):
                chats.message_send(sender=sender, chat_id=chat.pk, text=rng.choice(LINES))
            self._step("contacts and direct chats", done, len(pairs))
        group = chats.chat_group_create(
            creator=people[0], title="Demo group", member_ids=[p.pk for p in people[1:]]
        )
        for sender in rng.sample(people, min(3, len(people))):
            chats.message_send(sender=sender, chat_id=group.pk, text=rng.choice(LINES))
        self._step("group chat", 1, 1)

    def _channels(self, people: list[User], rng: random.Random) -> None:
        for done, (handle, title, description) in enumerate(CHANNELS, start=1):
            channel = broadcasts.channel_create(
                owner=people[0], handle=handle, title=title, description=description
            )
            for person in people[1:]:
                broadcasts.channel_subscribe(user=person, channel_id=channel.pk)
            for number in range(1, 4):
                post = broadcasts.post_create(
                    user=people[0], channel_id=channel.pk, text=f"{title}, part {number}"
                )
                broadcasts.comment_create(
                    user=rng.choice(people[1:]), post_id=post.pk, text=rng.choice(LINES)
                )
            self._step("channels", done, len(CHANNELS))
