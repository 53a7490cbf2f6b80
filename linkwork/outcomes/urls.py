"""Outcome measures, under /measures/: a record's measures (`referrals/<pk>/`, the referral's
id, as on casework's record), the public questionnaire opened from the link emailed to the
person, and the settings: instruments in use (administrators), schedules per site (managers)."""

from django.urls import path

from .views import measures, public, settings

app_name = "outcomes"

REFERRAL = "referrals/<int:pk>/"

urlpatterns = [
    path(REFERRAL, measures.measures, name="measures"),
    path(REFERRAL + "new/", measures.record_measure, name="record_measure"),
    path(
        REFERRAL + "<int:measure_pk>/withdraw/",
        measures.withdraw_measure,
        name="withdraw_measure",
    ),
    path(REFERRAL + "link/", measures.measure_link, name="measure_link"),
    path(
        REFERRAL + "links/<int:link_pk>/withdraw/",
        measures.revoke_measure_link,
        name="revoke_measure_link",
    ),
    path("questionnaire/thank-you/", public.measure_thanks, name="measure_thanks"),
    path("questionnaire/<str:signed>/", public.measure, name="public_measure"),
    path("settings/instruments/", settings.instruments, name="instruments"),
    path("settings/instruments/<str:code>/", settings.instrument, name="instrument"),
    path("settings/schedules/", settings.schedules, name="schedules"),
    path("settings/schedules/<int:site_pk>/", settings.site_schedule, name="site_schedule"),
]
