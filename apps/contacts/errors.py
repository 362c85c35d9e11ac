from enum import StrEnum


class ContactError(StrEnum):
    USER_NOT_FOUND = "user_not_found"
    CANNOT_INVITE_SELF = "cannot_invite_self"
    BLOCKED = "blocked"
    ALREADY_CONTACTS = "already_contacts"
    INVITATION_NOT_FOUND = "invitation_not_found"
    INVITATION_NOT_PENDING = "invitation_not_pending"
    NOT_INVITEE = "not_invitee"
    NOT_INVITER = "not_inviter"
    NOT_A_CONTACT = "not_a_contact"
    CANNOT_BLOCK_SELF = "cannot_block_self"
    LOOKUP_NEEDS_ONE = "lookup_needs_one"
    PRIVACY_RESTRICTED = "privacy_restricted"
