"""Letters, under /letters/: a person's letters (kept per referral, so their pages take the
referral's id and say so, `referrals/<pk>/`), and the letter settings (wording and letterheads)."""

from django.urls import path

from . import views

app_name = "letters"

RECORD = "referrals/<int:pk>/"

urlpatterns = [
    path(RECORD + "new/<str:kind>/", views.write, name="write"),
    path(RECORD + "<int:letter_pk>/", views.letter, name="letter"),
    path(RECORD + "<int:letter_pk>/pdf/", views.letter_pdf, name="pdf"),
    path("settings/", views.letter_settings, name="settings"),
    path("settings/templates/<str:kind>/<str:language>/", views.edit_template, name="template"),
    path("settings/sites/<int:site_pk>/letterhead/", views.letterhead, name="letterhead"),
]
