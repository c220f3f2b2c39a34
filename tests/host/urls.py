from django.urls import path

from . import views

urlpatterns = [path("chat/", views.chat_model), path("achat/", views.achat_model)]
