"""Admin for raw inbound payloads: the quarantine, with a replay action."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from civicdesk.channels import spool
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.conversations import pipeline
from civicdesk.conversations.models import AppliedEvent, HelpText, SenderConsent


@admin.register(InboundPayload)
class InboundPayloadAdmin(admin.ModelAdmin):
    list_display = ["received_at", "channel", "status", "provider_message_id", "reuses_provider_id", "attempts",
                    "short_error"]
    list_filter = ["status", "channel", "reuses_provider_id"]
    search_fields = ["provider_message_id", "error"]
    readonly_fields = ["channel", "provider_message_id", "reuses_provider_id", "content_hash", "raw_preview",
                       "content_type", "meta", "status", "error", "attempts", "case", "message", "received_at",
                       "processed_at"]
    exclude = ["raw"]
    actions = ["replay"]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """Say so when payloads the webhooks received still wait in the inbound spool (channels/spool.py): they join
        this list once a batch worker moves them, within a moment while one runs."""
        waiting = spool.pending()
        if waiting:
            self.message_user(request, ngettext(
                "%(count)d received payload waits in the inbound spool; it appears here once an inbound worker "
                "(civicdesk run, or civicdesk inbound_worker) moves it.",
                "%(count)d received payloads wait in the inbound spool; they appear here once an inbound worker "
                "(civicdesk run, or civicdesk inbound_worker) moves them.", waiting) % {"count": waiting},
                messages.WARNING)
        return super().changelist_view(request, extra_context)

    @admin.display(description="Error")
    def short_error(self, obj: InboundPayload) -> str:
        return obj.error[:120]

    @admin.display(description="Raw payload (first 20 kB)")
    def raw_preview(self, obj: InboundPayload) -> str:
        return bytes(obj.raw[:20000]).decode("utf-8", errors="replace")

    @admin.action(description="Replay the selected payloads through the ingest pipeline")
    def replay(self, request: HttpRequest, queryset: QuerySet[InboundPayload]) -> None:
        done = failed = 0
        for payload in queryset.exclude(status=PayloadStatus.PROCESSED):
            result = pipeline.replay(payload)
            if result.payload.status == PayloadStatus.QUARANTINED:
                failed += 1
            else:
                done += 1
        self.message_user(request, f"Replayed {done}; {failed} still quarantined.",
                          messages.SUCCESS if not failed else messages.WARNING)


@admin.register(AppliedEvent)
class AppliedEventAdmin(admin.ModelAdmin):
    """Read-only: which delivery reports, opt-outs and author edits took effect (each once)."""

    list_display = ["applied_at", "channel", "kind", "event_id", "payload"]
    list_filter = ["kind", "channel"]
    search_fields = ["event_id"]
    readonly_fields = ["channel", "event_id", "kind", "payload", "applied_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AppliedEvent | None = None) -> bool:
        return False


@admin.register(HelpText)
class HelpTextAdmin(admin.ModelAdmin):
    """Admins may also set the help texts in the staff UI (Opt-outs), where changes are audited."""

    list_display = ["agency", "text_en", "text_es"]


@admin.register(SenderConsent)
class SenderConsentAdmin(admin.ModelAdmin):
    """Read-only: consent changes by keyword texts and staff decisions, which are audited."""

    list_display = ["identity", "account", "opted_out_at", "keyword", "source", "changed_at"]
    list_filter = ["source"]
    search_fields = ["identity__value", "account__address"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
