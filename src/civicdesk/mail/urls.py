"""URL routes of the built-in outbox, mounted at /staff/outbox/."""

from django.urls import path

from civicdesk.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/", views.captured_email, name="captured-email"),
]
