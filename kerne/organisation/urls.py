from django.urls import path

from kerne.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("enheder/<int:pk>/", views.unit_detail, name="unit"),
    path("enheder/<int:pk>/underenheder/", views.unit_children, name="unit_children"),
    path("pipeline/", views.pipeline, name="pipeline"),
    path("opgaver/", views.tasks, name="tasks"),
    path("opgaver/niveau/<slug:key>/", views.level_tasks, name="level_tasks"),
    path("opgaver/ny/", views.task_create, name="task_create"),
    path("opgaver/<int:pk>/rediger/", views.task_edit, name="task_edit"),
    path("opgaver/<int:pk>/slet/", views.task_delete, name="task_delete"),
]
