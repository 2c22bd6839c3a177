"""Read-mostly admin for cases and messages; agents work in the staff inbox, not here."""

from django.contrib import admin

from civicdesk.cases.models import Attachment, Case, CaseTransfer, Message, Tag


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("created_at", "direction", "channel", "delivery_status", "attempts", "last_error")
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


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["pk", "case", "direction", "channel", "delivery_status", "attempts", "created_at"]
    list_filter = ["direction", "channel", "delivery_status"]
    raw_id_fields = ["case", "author", "contact"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "content_type", "size", "message"]
    raw_id_fields = ["message"]


@admin.register(CaseTransfer)
class CaseTransferAdmin(admin.ModelAdmin):
    list_display = ["case", "from_agency", "to_agency", "by", "at"]
    raw_id_fields = ["case"]


admin.site.register(Tag)
