from django.urls import path

from . import public_views, settings_views, views

app_name = "outcomes"

urlpatterns = [
    # Outcome measures on a person's record (casework's people/<pk>/).
    path("people/<int:pk>/measures/", views.measures, name="measures"),
    path("people/<int:pk>/measures/new/", views.record_measure, name="record_measure"),
    path(
        "people/<int:pk>/measures/<int:measure_pk>/withdraw/",
        views.withdraw_measure,
        name="withdraw_measure",
    ),
    path("people/<int:pk>/measures/link/", views.measure_link, name="measure_link"),
    path(
        "people/<int:pk>/measures/links/<int:link_pk>/withdraw/",
        views.revoke_measure_link,
        name="revoke_measure_link",
    ),
    # The person's own questionnaire, through a one-time link.
    path("questionnaire/thank-you/", public_views.measure_thanks, name="measure_thanks"),
    path("questionnaire/<str:signed>/", public_views.measure, name="public_measure"),
    # Settings: instruments in use (administrators), schedules per site (managers).
    path("settings/instruments/", settings_views.instruments, name="instruments"),
    path("settings/instruments/<str:code>/", settings_views.instrument, name="instrument"),
    path("settings/measures/", settings_views.schedules, name="schedules"),
    path("settings/measures/<int:site_pk>/", settings_views.site_schedule, name="site_schedule"),
]
