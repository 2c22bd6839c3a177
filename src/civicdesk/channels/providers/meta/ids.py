"""How Meta's ids become ours: page-scoped identities ("PAGEID:PSID") and conversation keys per DM or comment thread."""

from dataclasses import dataclass

DM = "dm"
COMMENT = "comment"


def identity_value(owner_id: str, user_id: str) -> str:
    """A resident's stable id on one of our pages (or Instagram accounts): Meta's ids are scoped to the page."""
    return f"{owner_id}:{user_id}"


def dm_key(owner_id: str, user_id: str) -> str:
    return f"{owner_id}:{DM}:{user_id}"


def comment_key(owner_id: str, top_comment_id: str) -> str:
    """One public conversation per top-level comment: the comment and every reply under it."""
    return f"{owner_id}:{COMMENT}:{top_comment_id}"


@dataclass(frozen=True)
class Thread:
    """What a conversation key says: whose page, a DM (with the user's id) or a comment thread (its top comment)."""

    owner_id: str
    kind: str  # DM or COMMENT
    target: str  # the user's page-scoped id, or the top comment's id

    @property
    def is_comment(self) -> bool:
        return self.kind == COMMENT


def thread_of(key: str) -> Thread | None:
    """The thread a conversation key names, or None when it is not one of ours."""
    owner, _, rest = (key or "").partition(":")
    kind, _, target = rest.partition(":")
    if not owner or kind not in (DM, COMMENT) or not target:
        return None
    return Thread(owner, kind, target)


def user_of(identity: str) -> tuple[str, str]:
    """("PAGEID", "PSID") of an identity value; ("", value) for a bare id."""
    owner, sep, user = (identity or "").partition(":")
    return (owner, user) if sep else ("", owner)
