"""URLs of the channel layer: the one webhook entry."""

from django.urls import path

from civicdesk.channels import webhooks

urlpatterns = [
    path("<slug:provider>/<int:account_id>/", webhooks.hook, name="channel-hook"),
]
