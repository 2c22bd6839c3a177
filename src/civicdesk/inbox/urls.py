"""URL routes of the staff side, mounted at /staff/: sign-in, inbox, cases, attachments and contacts."""

from django.contrib.auth import views as auth_views
from django.urls import path

from civicdesk.inbox import case_views, composer_views, contact_views, presence_views, stream_views, views
from civicdesk.inbox.forms import StaffLoginForm

app_name = "inbox"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="inbox/login.html", authentication_form=StaffLoginForm,
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="inbox:login"), name="logout"),
    path("", views.inbox, name="inbox"),
    path("live/", views.inbox_live, name="inbox-live"),
    path("events/", stream_views.inbox_events, name="inbox-events"),
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
    path("contacts/<int:pk>/", contact_views.contact_detail, name="contact"),
    path("contacts/<int:pk>/merge", contact_views.contact_merge, name="contact-merge"),
    path("contacts/<int:pk>/merges/<int:merge_id>/undo", contact_views.contact_merge_undo, name="contact-merge-undo"),
]
