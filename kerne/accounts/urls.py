from django.urls import path

from kerne.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("audit/", views.audit_log, name="audit_log"),
    # Development only (DEBUG): the e-mails Kerne would have sent.
    path("udbakke/", views.outbox, name="outbox"),
    path("udbakke/<str:file>/<int:index>/", views.outbox_message, name="outbox_message"),
]
