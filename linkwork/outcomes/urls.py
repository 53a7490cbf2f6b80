from django.urls import path

from .views import measures, public, settings

app_name = "outcomes"

urlpatterns = [
    # Outcome measures on a person's record (casework's people/<pk>/).
    path("people/<int:pk>/measures/", measures.measures, name="measures"),
    path("people/<int:pk>/measures/new/", measures.record_measure, name="record_measure"),
    path(
        "people/<int:pk>/measures/<int:measure_pk>/withdraw/",
        measures.withdraw_measure,
        name="withdraw_measure",
    ),
    path("people/<int:pk>/measures/link/", measures.measure_link, name="measure_link"),
    path(
        "people/<int:pk>/measures/links/<int:link_pk>/withdraw/",
        measures.revoke_measure_link,
        name="revoke_measure_link",
    ),
    # The person's own questionnaire, through a one-time link.
    path("questionnaire/thank-you/", public.measure_thanks, name="measure_thanks"),
    path("questionnaire/<str:signed>/", public.measure, name="public_measure"),
    # Settings: instruments in use (administrators), schedules per site (managers).
    path("settings/instruments/", settings.instruments, name="instruments"),
    path("settings/instruments/<str:code>/", settings.instrument, name="instrument"),
    path("settings/measures/", settings.schedules, name="schedules"),
    path("settings/measures/<int:site_pk>/", settings.site_schedule, name="site_schedule"),
]
