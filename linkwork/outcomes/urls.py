from django.urls import path

from . import public_views, safeguarding_views, settings_views, views

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
    # Safeguarding, about anyone referred (the waiting list included).
    path("safeguarding/", safeguarding_views.open_escalations, name="open_escalations"),
    path("referrals/<int:pk>/safeguarding/", safeguarding_views.person, name="safeguarding"),
    path("referrals/<int:pk>/flags/new/", safeguarding_views.raise_flag, name="raise_flag"),
    path(
        "referrals/<int:pk>/flags/<int:flag_pk>/end/",
        safeguarding_views.end_flag,
        name="end_flag",
    ),
    path(
        "referrals/<int:pk>/concerns/new/",
        safeguarding_views.raise_concern,
        name="raise_concern",
    ),
    path("safeguarding/concerns/<int:concern_pk>/", safeguarding_views.concern, name="concern"),
    path(
        "safeguarding/concerns/<int:concern_pk>/escalate/",
        safeguarding_views.escalate,
        name="escalate",
    ),
    path(
        "safeguarding/concerns/<int:concern_pk>/close/",
        safeguarding_views.close_concern,
        name="close_concern",
    ),
    path(
        "safeguarding/escalations/<int:escalation_pk>/chase/",
        safeguarding_views.chase,
        name="chase",
    ),
    path(
        "safeguarding/escalations/<int:escalation_pk>/response/",
        safeguarding_views.record_response,
        name="record_response",
    ),
    path("safeguarding/prompts/<int:prompt_pk>/", safeguarding_views.prompt, name="prompt"),
]
