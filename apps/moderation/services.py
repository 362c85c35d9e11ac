"""Reports from users; moderators' decisions, each written to the audit log."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts import services as accounts
from apps.accounts.models import User
from apps.core.errors import ApplicationError, NotFound

from .errors import ModerationError
from .kinds import KINDS
from .models import AuditLog, Report, ReportEntry, Target


def target_id_parse(kind: str, target_id):
    """A target's id as its store keeps it; ValueError if it cannot be one."""
    return KINDS[kind].parse_id(target_id)


def audit(*, actor, action: str, target_kind: str, target_id, reason: str = "") -> AuditLog:
    """One row of the audit log; `actor` None is an operator's manage.py command."""
    return AuditLog.objects.create(
        actor_id=actor.pk if actor else None,
        actor_username=actor.get_username() if actor else "manage.py",
        action=action,
        target_kind=target_kind,
        target_id=str(target_id),
        reason=reason[:500],
    )


def _not_found(kind: str) -> NotFound:
    return NotFound(f"There is no such {kind} that you can see.", code=ModerationError.TARGET_NOT_FOUND)


def target_author(*, kind: str, target_id, reporter_id: int) -> int | None:
    """Whose the target is; NotFound unless the reporter can see it."""
    try:
        return KINDS[kind].author(target_id, reporter_id)
    except NotFound:
        raise _not_found(kind) from None


def report_create(*, reporter, kind: str, target_id, reason: str, comment: str = "") -> tuple[Report, bool]:
    """Report something the reporter can see: (the open report of that target, whether this
    reporter's report is new). Reports of one target merge; one reporter counts once."""
    try:
        target_id = target_id_parse(kind, target_id)
    except ValueError:  # an id, but not one this kind of thing can have
        raise _not_found(kind) from None
    if kind == Target.USER and target_id == reporter.pk:
        raise ApplicationError(ModerationError.CANNOT_REPORT_SELF, "You cannot report yourself.", status=403)
    author_id = target_author(kind=kind, target_id=target_id, reporter_id=reporter.pk)
    for _attempt in range(3):
        try:
            return _report_add(
                reporter=reporter,
                kind=kind,
                target_id=str(target_id),
                author_id=author_id,
                reason=reason,
                comment=comment,
            )
        except IntegrityError:  # another reporter opened the report at the same moment: join it
            continue
    raise ApplicationError("busy", "Please try again.", status=409)


@transaction.atomic
def _report_add(*, reporter, kind, target_id, author_id, reason, comment) -> tuple[Report, bool]:
    report = (
        Report.objects.select_for_update()
        .filter(kind=kind, target_id=target_id, status=Report.Status.OPEN)
        .first()
    )
    if report is None:
        with transaction.atomic():
            report = Report.objects.create(kind=kind, target_id=target_id, author_id=author_id)
    if ReportEntry.objects.filter(report=report, reporter_id=reporter.pk).exists():
        return report, False
    ReportEntry.objects.create(report=report, reporter_id=reporter.pk, reason=reason, comment=comment[:1000])
    Report.objects.filter(pk=report.pk).update(
        reports_count=F("reports_count") + 1, last_reported_at=timezone.now()
    )
    report.refresh_from_db()
    return report, True


# --- Moderators' actions (the admin calls these) ----------------------------------------------


def _close(report: Report, *, moderator, status: str, note: str) -> None:
    Report.objects.filter(pk=report.pk).update(
        status=status, closed_by=moderator, closed_at=timezone.now(), note=note[:500]
    )


@transaction.atomic
def content_remove(*, moderator, kind: str, target_id, reason: str) -> bool:
    """Delete a message, post or comment for everyone, or take a channel down."""
    content = KINDS.get(kind)
    if content is None or content.remove is None:
        raise ApplicationError("not_content", "Only messages, posts, comments and channels are removed.")
    try:
        target_id = content.parse_id(target_id)
    except ValueError:
        raise NotFound(f"There is no such {kind}.", code=ModerationError.TARGET_NOT_FOUND) from None
    done = content.remove(target_id)
    audit(actor=moderator, action=f"remove_{kind}", target_kind=kind, target_id=target_id, reason=reason)
    return done


@transaction.atomic
def user_ban(*, moderator, user_id: int, reason: str) -> None:
    """Ban at once: every token stops working and open sockets close with 4403."""
    accounts.user_ban(user=User.objects.get(pk=user_id))
    audit(actor=moderator, action="ban_user", target_kind=Target.USER, target_id=user_id, reason=reason)


@transaction.atomic
def user_unban(*, moderator, user_id: int, reason: str) -> None:
    accounts.user_unban(user=User.objects.get(pk=user_id))
    audit(actor=moderator, action="unban_user", target_kind=Target.USER, target_id=user_id, reason=reason)


class Decision:
    REMOVE = "remove"
    BAN = "ban"
    REMOVE_AND_BAN = "remove_and_ban"
    DISMISS = "dismiss"
    CHOICES = [
        (REMOVE, "Resolve: remove the content (for everyone)"),
        (BAN, "Resolve: ban the author"),
        (REMOVE_AND_BAN, "Resolve: remove the content and ban the author"),
        (DISMISS, "Dismiss: nothing wrong"),
    ]


@transaction.atomic
def report_decide(*, moderator, report: Report, decision: str, note: str) -> None:
    """Act on an open report and close it; every step is audited."""
    if decision in (Decision.REMOVE, Decision.REMOVE_AND_BAN) and report.kind != Target.USER:
        content_remove(moderator=moderator, kind=report.kind, target_id=report.target_id, reason=note)
    if decision in (Decision.BAN, Decision.REMOVE_AND_BAN) and report.author_id:
        user_ban(moderator=moderator, user_id=report.author_id, reason=note)
    status = Report.Status.DISMISSED if decision == Decision.DISMISS else Report.Status.RESOLVED
    _close(report, moderator=moderator, status=status, note=note)
    audit(
        actor=moderator,
        action=f"report_{status}",
        target_kind=report.kind,
        target_id=report.target_id,
        reason=note,
    )
