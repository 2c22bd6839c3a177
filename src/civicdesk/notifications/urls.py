"""URL routes of staff notifications, mounted at /staff/notifications/."""

from django.urls import path

from civicdesk.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("settings/", views.notification_settings, name="settings"),
    path("read/", views.read_all, name="read-all"),
    path("<int:pk>/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.read_one, name="read"),
]
