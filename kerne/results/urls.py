"""Results pages, mounted at /resultater/ (namespace "results")."""

from django.urls import path

from kerne.results import views

app_name = "results"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/frigiv/", views.round_release, name="release"),
    path("<int:pk>/heatmap/", views.heatmap, name="heatmap"),
    path("<int:pk>/heatmap.xlsx", views.heatmap_xlsx, name="heatmap_xlsx"),
    path("<int:pk>/enhed/<int:unit_pk>/", views.unit_report, name="unit"),
    path("<int:pk>/enhed/<int:unit_pk>/rapport.pdf", views.unit_pdf, name="unit_pdf"),
    path("<int:pk>/enhed/<int:unit_pk>/resultater.csv", views.unit_csv, name="unit_csv"),
    path("<int:pk>/enhed/<int:unit_pk>/drivere/", views.drivers, name="drivers"),
    path("<int:pk>/360/<int:evaluation_pk>/", views.evaluation_report, name="evaluation"),
]
