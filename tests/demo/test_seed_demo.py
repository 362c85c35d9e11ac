import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.broadcasts.models import Channel, Post
from apps.chats.models import Chat, Message
from apps.contacts.models import Contact

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_people_contacts_chats_and_channels(capsys):
    call_command("seed_demo", "--users", "4", "--password", "violet-anchor-meadow-17")

    out = capsys.readouterr().out
    assert User.objects.filter(username__startswith="demo_").count() == 4
    assert Contact.objects.count() == 6  # 3 pairs, both directions
    assert Chat.objects.count() == 4  # 3 direct, 1 group
    assert Message.objects.count() == 3 * 3 + 3
    assert Channel.objects.count() == 2
    assert Post.objects.count() == 6
    # Not a terminal: one line a stage, then the summary last, where a person looks for it.
    lines = out.splitlines()
    assert lines[:4] == ["people: 4/4", "contacts and direct chats: 3/3", "group chat: 1/1", "channels: 2/2"]
    assert "password:  violet-anchor-meadow-17" in lines[-4]
    assert lines[-5] == "  people:    demo_01 ... demo_04"
    assert "the web client at /" in lines[-3]  # what to open first
    assert User.objects.get(username="demo_01").check_password("violet-anchor-meadow-17")


def test_seed_demo_dry_run_writes_nothing(capsys):
    call_command("seed_demo", "--dry-run")

    assert "Nothing was written" in capsys.readouterr().out
    assert not User.objects.exists()


def test_seed_demo_refuses_to_run_twice_and_bad_counts():
    call_command("seed_demo", "--users", "2")

    with pytest.raises(CommandError, match="exists already"):
        call_command("seed_demo", "--users", "2")
    with pytest.raises(CommandError, match="2 to 99"):
        call_command("seed_demo", "--users", "1")
