"""Staff moderation of residents' public comments on our pages: hiding a comment on the network, from its case."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from civicdesk.cases.models import Message
from civicdesk.conversations.moderation import ModerationError, hide_comment
from civicdesk.inbox.access import actionable_case_or_403, staff_required


@staff_required
@require_POST
def hide_comment_view(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Hide one of the case's comments on Facebook or Instagram; audited on the case."""
    case = actionable_case_or_403(request, number)
    message = Message.objects.select_related("case", "sender_identity").filter(pk=pk, case=case).first()
    if message is None:
        raise Http404("No such message on this case.")
    try:
        hide_comment(message, actor=request.user)
    except ModerationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("The comment is hidden: only its author and their friends still see it."))
    return redirect(reverse("inbox:case", args=[case.number]) + f"#message-{message.pk}")
