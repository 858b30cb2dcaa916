from django.urls import path

from kerne.foundation import views

app_name = "foundation"
urlpatterns = [
    path("", views.index, name="index"),
    path("god-ledelse/", views.definition, name="definition"),
    path("adfaerd/<slug:key>/", views.behaviour, name="behaviour"),
    path("vaerdier/<slug:key>/", views.value, name="value"),
    path("principper/<slug:key>/", views.principle, name="principle"),
]
