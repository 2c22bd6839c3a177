"""Read-mostly admin for cases and messages; agents work in the staff inbox, not here."""

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases import actions
from civicdesk.cases.models import Attachment, Case, CaseTransfer, Message, Tag

ADMIN_EDIT_REASON = "Edited in the admin"


class MessageInline(admin.TabularInline):
    model = Message
    fk_name = "case"
    extra = 0
    fields = ("created_at", "direction", "channel", "is_public", "delivery_status", "attempts", "last_error")
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "channel", "status", "priority", "agency", "service", "created_at"]
    list_filter = ["status", "channel", "priority", "agency"]
    search_fields = ["number", "subject"]
    raw_id_fields = ["contact", "assignee", "merged_into", "service", "team"]
    readonly_fields = ["number", "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at"]
    filter_horizontal = ["tags"]
    exclude = ["related", "followers"]
    inlines = [MessageInline]
    list_select_related = ["agency", "service"]
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Case, form: ModelForm, change: bool) -> None:
        """An edit goes through cases.actions so the audit trail gets before and after, and hooks run."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = [name for name in form.changed_data if not Case._meta.get_field(name).many_to_many]
        stored = Case.objects.get(pk=obj.pk)
        actions.edit_fields(stored, actor=request.user, changes={name: getattr(obj, name) for name in fields},
                            reason=ADMIN_EDIT_REASON)
        obj.updated_at = stored.updated_at

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        before = sorted(form.instance.tags.values_list("name", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.tags.values_list("name", flat=True))
        if change and before != after:
            record(AuditAction.TAGS_CHANGED, case=form.instance, actor=request.user, reason=ADMIN_EDIT_REASON,
                   before={"tags": before}, after={"tags": after})


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["pk", "case", "direction", "channel", "delivery_status", "attempts", "created_at"]
    list_filter = ["direction", "channel", "delivery_status"]
    raw_id_fields = ["case", "author", "contact"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "content_type", "size", "message", "published_at"]
    list_filter = [("published_at", admin.EmptyFieldListFilter)]
    raw_id_fields = ["message"]
    readonly_fields = ["published_at"]
    actions = ["publish", "unpublish"]

    @admin.action(description=_("Show the selected photos on their requests' public pages"))
    def publish(self, request: HttpRequest, queryset: Any) -> None:
        for attachment in queryset.select_related("message__case"):
            actions.publish_photo(attachment, actor=request.user, published=True)

    @admin.action(description=_("Take the selected photos off the public pages"))
    def unpublish(self, request: HttpRequest, queryset: Any) -> None:
        for attachment in queryset.select_related("message__case"):
            actions.publish_photo(attachment, actor=request.user, published=False)


@admin.register(CaseTransfer)
class CaseTransferAdmin(admin.ModelAdmin):
    list_display = ["case", "from_agency", "to_agency", "by", "at"]
    raw_id_fields = ["case"]


admin.site.register(Tag)
