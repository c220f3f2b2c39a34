from django.urls import path

from . import views

app_name = "generation"

urlpatterns = [
    path("", views.index, name="index"),
    path("chat/", views.page, {"capability": "chat"}, name="chat"),
    path("content/", views.page, {"capability": "content"}, name="content"),
    path("image/", views.page, {"capability": "image"}, name="image"),
    path("audio/", views.page, {"capability": "audio"}, name="audio"),
    path("moderation/", views.page, {"capability": "moderation"}, name="moderation"),
    path("api/chat/", views.api, {"capability": "chat"}, name="api-chat"),
    path("api/content/", views.api, {"capability": "content"}, name="api-content"),
    path("api/image/", views.api, {"capability": "image"}, name="api-image"),
    path("api/audio/", views.api, {"capability": "audio"}, name="api-audio"),
    path("api/moderation/", views.api, {"capability": "moderation"}, name="api-moderation"),
]
