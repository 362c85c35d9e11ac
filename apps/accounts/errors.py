from enum import StrEnum


class AccountError(StrEnum):
    USERNAME_TAKEN = "username_taken"
    EMAIL_TAKEN = "email_taken"
    PHONE_TAKEN = "phone_taken"
    INVALID_CREDENTIALS = "invalid_credentials"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 (an error code, not a secret)
    ACCOUNT_BANNED = "account_banned"
    ACCOUNT_INACTIVE = "account_inactive"
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 (an error code, not a secret)
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 (an error code, not a secret)
    TOKEN_NOT_VALID = "token_not_valid"  # noqa: S105
