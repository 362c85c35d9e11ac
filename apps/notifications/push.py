"""Push backends: hand one batch of devices one notification.

`logging` (the default) writes a line per batch: how many devices, what kind, never tokens or
text. `fcm` sends through Firebase Cloud Messaging with fcm-django and firebase-admin, and
deactivates the devices FCM reports as gone.

A push carries no message text: a title (the channel, the sender or the group) and a generic
body; the app fetches the content itself. Nothing private passes through Google's servers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from fcm_django.models import FCMDevice

logger = logging.getLogger(__name__)

FIREBASE_APP_NAME = "telegram-light"


@dataclass(frozen=True)
class Push:
    kind: str  # "channel_post" | "chat_message": a metrics label, and `data.type` for the app
    title: str
    body: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class PushOutcome:
    sent: int = 0
    deactivated: int = 0  # devices FCM reports as unregistered; now inactive
    rejected: int = 0  # refused for good (a bad message, a foreign sender id, ...)
    retry_device_ids: list[int] = field(default_factory=list)  # failed for a passing reason


class PushUnavailable(Exception):
    """The push service could not be reached at all: retry the whole batch later."""


class LoggingBackend:
    def send(self, *, devices: list[tuple[int, str]], push: Push) -> PushOutcome:
        logger.info("push batch", extra={"push_kind": push.kind, "devices": len(devices)})
        return PushOutcome(sent=len(devices))


def firebase_app():
    """The Firebase app of FCM_CREDENTIALS (made once per process; an app already initialised
    under our name, by an embedding program, wins)."""
    import firebase_admin
    from firebase_admin import credentials

    try:
        return firebase_admin.get_app(FIREBASE_APP_NAME)
    except ValueError:
        pass
    if settings.FCM_API_URL:
        from firebase_admin import messaging

        # firebase-admin has no option for the endpoint; its service reads this when created.
        messaging._MessagingService.FCM_URL = settings.FCM_API_URL
    options = {"httpTimeout": settings.FCM_HTTP_TIMEOUT}
    if settings.FCM_PROJECT_ID:
        options["projectId"] = settings.FCM_PROJECT_ID
    return firebase_admin.initialize_app(
        credentials.Certificate(settings.FCM_CREDENTIALS), options, name=FIREBASE_APP_NAME
    )


def _transient(exc) -> bool:
    from firebase_admin import exceptions

    return isinstance(
        exc,
        (
            exceptions.UnavailableError,
            exceptions.InternalError,
            exceptions.DeadlineExceededError,
            exceptions.ResourceExhaustedError,  # QUOTA_EXCEEDED
            exceptions.UnknownError,
        ),
    )


class FCMBackend:
    def send(self, *, devices: list[tuple[int, str]], push: Push) -> PushOutcome:
        from firebase_admin import exceptions, messaging

        message = messaging.Message(
            notification=messaging.Notification(title=push.title, body=push.body),
            data={"type": push.kind, **push.data},
        )
        tokens = [token for _, token in devices]
        try:
            result = FCMDevice.objects.filter(pk__in=[pk for pk, _ in devices]).send_message(
                message,
                skip_registration_id_lookup=True,
                additional_registration_ids=tokens,
                app=firebase_app(),
            )
        except (exceptions.FirebaseError, OSError) as exc:
            raise PushUnavailable(type(exc).__name__) from exc
        except Exception as exc:  # google-auth's refresh and transport errors
            if type(exc).__module__.startswith("google.auth"):
                raise PushUnavailable(type(exc).__name__) from exc
            raise
        gone = set(result.deactivated_registration_ids)
        outcome = PushOutcome()
        for (pk, token), response in zip(devices, result.response.responses, strict=True):
            if response.success:
                outcome.sent += 1
            elif token in gone:
                outcome.deactivated += 1
            elif _transient(response.exception):
                outcome.retry_device_ids.append(pk)
            else:
                outcome.rejected += 1
                logger.warning(
                    "push rejected", extra={"device": pk, "error": type(response.exception).__name__}
                )
        return outcome


def push_backend():
    """PUSH_BACKEND: `logging`, `fcm`, or the dotted path of a class with the same `send`."""
    backends = {"logging": LoggingBackend, "fcm": FCMBackend}
    name = settings.PUSH_BACKEND
    if name in backends:
        return backends[name]()
    if "." in name:
        from django.utils.module_loading import import_string

        return import_string(name)()
    raise ValueError(f"PUSH_BACKEND must be one of {sorted(backends)} or a dotted path, not {name!r}")
