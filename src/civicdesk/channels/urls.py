"""URLs of the channel layer: the one webhook entry, with an optional endpoint path (Twilio's "status")."""

from django.urls import path

from civicdesk.channels import webhooks

urlpatterns = [
    path("<slug:provider>/<int:account_id>/", webhooks.hook, name="channel-hook"),
    path("<slug:provider>/<int:account_id>/<path:endpoint>/", webhooks.hook, name="channel-hook-endpoint"),
]
