"""Concurrent senders, for the tests of seq and pts under contention."""

import threading

from django.db import connections

from apps.chats import services


def send_at_once(plan, *, messages: int) -> list[Exception]:
    """Each (user, chat) of `plan` sends `messages` messages from a thread of its own, all
    starting together; the errors raised (none, when all went well)."""
    barrier = threading.Barrier(len(plan))
    errors: list[Exception] = []

    def sender(user, chat):
        barrier.wait()
        try:
            for n in range(messages):
                services.message_send(sender=user, chat_id=chat.id, text=f"{user.id}-{n}")
        except Exception as exc:  # surfaced by the caller's assertion
            errors.append(exc)
        finally:
            connections.close_all()  # the thread's connections, the document store's too

    threads = [threading.Thread(target=sender, args=pair) for pair in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
