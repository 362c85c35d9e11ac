"""What accounts tells the apps above it, which subscribe in their AppConfig.ready(): accounts
imports none of them (docs/architecture.md, dependencies). Sent inside the transaction that
makes the change, so a receiver's writes commit or roll back with it; a receiver that raises
fails the change."""

from django.dispatch import Signal

# A new account (`user`), from registration or the admin site.
account_created = Signal()
# An account's username changed (`user`, with the new `username` saved).
account_renamed = Signal()
