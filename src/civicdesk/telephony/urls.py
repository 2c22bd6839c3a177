"""Twilio's voice webhooks of a number, under /hooks/twilio/<account_id>/ (see channels.providers.twilio.endpoints);
included before the generic /hooks/ entry."""

from django.urls import path

from civicdesk.telephony import views

app_name = "telephony"

urlpatterns = [
    path("voice/", views.answer_call, name="voice"),
    path("voice/recording/", views.recording, name="recording"),
    path("voice/transcription/", views.transcription, name="transcription"),
]
