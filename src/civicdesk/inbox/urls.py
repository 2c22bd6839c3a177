"""URL routes of the staff side, mounted at /staff/: sign-in, inbox, cases, attachments, contacts, the team page,
transfer approvals and staff accounts."""

from django.contrib.auth import views as auth_views
from django.urls import path

from civicdesk.inbox import (bulk_views, case_views, composer_views, contact_merge_views, contact_views, presence_views,
                             staff_views, stream_views, team_views, transfer_views, views)
from civicdesk.inbox.forms import StaffLoginForm

app_name = "inbox"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="inbox/login.html", authentication_form=StaffLoginForm,
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="inbox:login"), name="logout"),
    path("", views.inbox, name="inbox"),
    path("live/", views.inbox_live, name="inbox-live"),
    path("events/", stream_views.inbox_events, name="inbox-events"),
    path("bulk/", bulk_views.bulk_action, name="bulk"),
    path("views/", views.saved_view_create, name="saved-view-create"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("cases/<str:number>/", case_views.case_detail, name="case"),
    path("cases/<str:number>/live/", case_views.case_live, name="case-live"),
    path("cases/<str:number>/events/", stream_views.case_events, name="case-events"),
    path("cases/<str:number>/reply/", composer_views.send_reply, name="case-reply"),
    path("cases/<str:number>/note/", composer_views.send_note, name="case-note"),
    path("cases/<str:number>/reply/preview/", composer_views.preview, name="case-reply-preview"),
    path("cases/<str:number>/reply/destination/", composer_views.destination, name="case-reply-destination"),
    path("cases/<str:number>/presence/", presence_views.presence, name="case-presence"),
    path("cases/<str:number>/presence/leave/", presence_views.leave, name="case-presence-leave"),
    path("cases/<str:number>/<slug:action>/", case_views.case_action, name="case-action"),
    path("attachments/<int:pk>/", case_views.attachment_download, name="attachment"),
    path("contacts/", contact_views.contact_directory, name="contacts"),
    path("contacts/<int:pk>/", contact_views.contact_detail, name="contact"),
    path("contacts/<int:pk>/edit", contact_views.contact_edit, name="contact-edit"),
    path("contacts/<int:pk>/identities", contact_views.identity_add, name="contact-identity-add"),
    path("contacts/<int:pk>/identities/<int:identity_id>/remove", contact_views.identity_remove,
         name="contact-identity-remove"),
    path("contacts/<int:pk>/notes", contact_views.note_add, name="contact-note-add"),
    path("contacts/<int:pk>/merge", contact_merge_views.contact_merge, name="contact-merge"),
    path("contacts/<int:pk>/merges/<int:merge_id>/undo", contact_merge_views.contact_merge_undo,
         name="contact-merge-undo"),
    path("team/", team_views.team, name="team"),
    path("team/members/<int:pk>/away/", team_views.member_away, name="team-away"),
    path("team/members/<int:pk>/handover/", team_views.member_handover, name="team-handover"),
    path("team/teams/<int:pk>/add/", team_views.team_member_add, name="team-member-add"),
    path("team/teams/<int:pk>/remove/", team_views.team_member_remove, name="team-member-remove"),
    path("team/agencies/<int:pk>/transfer-approval/", team_views.agency_transfer_approval,
         name="team-transfer-approval"),
    path("transfers/", transfer_views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/", transfer_views.transfer_decide, name="transfer-decide"),
    path("people/", staff_views.staff_list, name="staff"),
    path("people/new/", staff_views.staff_create, name="staff-create"),
    path("people/<int:pk>/", staff_views.staff_member, name="staff-member"),
    path("people/<int:pk>/password-link/", staff_views.staff_password_link, name="staff-password-link"),
    path("people/<int:pk>/active/", staff_views.staff_active, name="staff-active"),
]
