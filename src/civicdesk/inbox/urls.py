"""URL routes of the staff side, mounted at /staff/: sign-in, inbox, cases, attachments and contacts."""

from django.contrib.auth import views as auth_views
from django.urls import path

from civicdesk.inbox import bulk_views, case_views, contact_merge_views, contact_views, stream_views, views
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
]
