"""URL routes of the public survey pages (the token in the URL is the resident's credential)."""

from django.urls import path

from civicdesk.satisfaction import views

app_name = "satisfaction"
urlpatterns = [
    path("survey/<str:token>/", views.survey, name="survey"),
    path("fixed/<str:token>/", views.fix_check, name="fix_check"),
    path("surveys/stop/<str:token>/", views.stop, name="stop"),
]
