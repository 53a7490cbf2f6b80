"""Passkeys (decision 0025), under /account/passkeys/: adding and removing one (pages), and the
API the library's script calls (under api/)."""

from django.urls import path

from . import passkeys, views

app_name = "passkeys"

urlpatterns = [
    path("add/", views.add_passkey, name="add"),
    path("<int:pk>/remove/", views.remove_passkey, name="remove"),
    path("api/register/begin/", passkeys.RegisterBegin.as_view(), name="register_begin"),
    path("api/register/complete/", passkeys.RegisterComplete.as_view(), name="register_complete"),
    path("api/sign-in/begin/", passkeys.SignInBegin.as_view(), name="sign_in_begin"),
    path("api/sign-in/complete/", passkeys.SignInComplete.as_view(), name="sign_in_complete"),
    path("api/words.js", passkeys.Catalog.as_view(), name="catalog"),
]
