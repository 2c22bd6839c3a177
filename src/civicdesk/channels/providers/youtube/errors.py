"""YouTube's answers to a reply (comments.insert) in plain words for agents, with Google's reason kept."""

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# developers.google.com/youtube/v3/docs/comments/insert#errors (and the API's common errors)
PLAIN_WORDS: dict[str, Promise] = {
    "commentTextRequired": _("YouTube refused an empty reply."),
    "commentTextTooLong": _("The reply is too long for a YouTube comment."),
    "invalidCustomEmoji": _("YouTube refused a custom emoji in the reply."),
    "invalidCommentMetadata": _("YouTube refused the reply's details."),
    "operationNotSupported": _("YouTube does not allow replies to this comment (the channel may have turned replies "
                               "off for it)."),
    "parentCommentIsPrivate": _("The comment is private, and YouTube does not allow replies to private comments."),
    "parentIdMissing": _("The reply names no comment to answer."),
    "processingFailure": _("YouTube could not process the reply."),
    "commentNotFound": _("The comment no longer exists on YouTube (its author or the channel deleted it)."),
    "forbidden": _("Our YouTube channel is not allowed to reply to this comment."),
    "ineligibleAccount": _("Our YouTube account cannot post comments: it must be a YouTube channel in good standing."),
    "insufficientPermissions": _("The channel's OAuth grant does not include the right to post comments (the "
                                 "youtube.force-ssl scope); connect the channel again."),
    "authError": _("Google refused the channel's credentials; connect the channel again."),
}


def plain_error(found: list[str], status: int) -> str:
    """A sentence for the first reason Google gave that we know, ending with it in brackets."""
    for reason in found:
        if reason in PLAIN_WORDS:
            return gettext("%(reason)s (YouTube: %(code)s).") % {"reason": str(PLAIN_WORDS[reason]).rstrip("."),
                                                                 "code": reason}
    if found:
        return gettext("YouTube refused the reply (%(code)s, HTTP %(status)s).") % {"code": found[0],
                                                                                    "status": status}
    return gettext("YouTube refused the reply (HTTP %(status)s).") % {"status": status}
