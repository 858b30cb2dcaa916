"""Public answer pages, mounted at /svar/ (see views_answer.py)."""

from django.urls import path

from kerne.surveys import views_answer

app_name = "answer"

urlpatterns = [
    path("kode/", views_answer.answer_code, name="code"),
    path("tak/", views_answer.answer_receipt, name="receipt"),
    path("aaben/<str:slug>/", views_answer.answer_open, name="open"),
    path("<str:token>/", views_answer.answer_token, name="token"),
]
