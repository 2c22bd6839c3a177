"""Template hooks of the Meta channels on the staff case page: the reply window in the composer, and hiding a
resident's comment on the timeline. Loaded through inbox's optional_tag, so the page renders without them."""

from typing import Any

from django import template
from django.template.loader import render_to_string

from civicdesk.channels.models import Channel
from civicdesk.channels.providers.meta.window import notice, reply_window
from civicdesk.conversations.moderation import hidden_message_ids, is_comment

register = template.Library()
META_CHANNELS = (Channel.FACEBOOK, Channel.INSTAGRAM)


@register.simple_tag(takes_context=True)
def reply_window_notice(context: template.Context, destination: Any) -> str:
    """How long Meta still allows a private reply (or why it no longer does), next to the composer's destination."""
    target = getattr(destination, "target", None)
    if target is None or target.channel not in META_CHANNELS or target.conversation is None:
        return ""
    window = reply_window(target.conversation)
    text = notice(window)
    if not text:
        return ""
    return render_to_string("conversations/meta/_reply_window.html", {"text": text, "allowed": window.allowed})


@register.simple_tag(takes_context=True)
def comment_actions(context: template.Context, message: Any) -> str:
    """Under a resident's comment on one of our pages: hide it on the network (or say it was hidden)."""
    if not is_comment(message) or context.get("case") is None:
        return ""
    cache = context.render_context
    if "meta_hidden_ids" not in cache:
        cache["meta_hidden_ids"] = hidden_message_ids(context["case"])
    return render_to_string("conversations/meta/_comment_actions.html", {
        "m": message, "case": context["case"], "hidden": message.pk in cache["meta_hidden_ids"],
        "can_act": context.get("can_act", False), "channel": Channel(message.channel).label,
    }, request=context.get("request"))
