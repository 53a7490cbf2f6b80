"""Research trials, under /trials/: the trials a user may see and their set-up, a person's part
in one (`participants/<pk>/`, reached through their referral), and the trial team's reports."""

from django.urls import path

from .views import enrolment, exports, reports, setup

app_name = "trials"

PARTICIPANT = "participants/<int:pk>/"
EXPORT = "<int:pk>/exports/<int:export_pk>/"

TRIAL = "<int:pk>/"

urlpatterns = [
    path("", setup.trial_list, name="list"),
    path("new/", setup.new_trial, name="new"),
    path(TRIAL, setup.trial_detail, name="detail"),
    path(TRIAL + "set-up/", setup.change_set_up, name="change_set_up"),
    path(TRIAL + "open/", setup.open_trial, name="open"),
    path(TRIAL + "close/", setup.close_trial, name="close"),
    path(TRIAL + "documents/new/", setup.new_document, name="new_document"),
    path(TRIAL + "team/", setup.team, name="team"),
    path(TRIAL + "team/<int:user_pk>/remove/", setup.remove_member, name="remove_member"),
    path(TRIAL + "consort/", reports.consort, name="consort"),
    path(TRIAL + "consort/records/", reports.records, name="records"),
    path(TRIAL + "analysis/", reports.analysis, name="analysis"),
    path(TRIAL + "gp-attendance/", reports.attendance, name="attendance"),
    path("referrals/<int:referral_pk>/offer/<int:trial_pk>/", enrolment.offer, name="offer"),
    path("measures-due/", enrolment.measures_due, name="measures_due"),
    path(PARTICIPANT, enrolment.participant, name="participant"),
    path(PARTICIPANT + "consent/", enrolment.consent, name="consent"),
    path(PARTICIPANT + "decline/", enrolment.decline, name="decline"),
    path(PARTICIPANT + "baseline/<str:instrument>/", enrolment.baseline, name="baseline"),
    path(PARTICIPANT + "randomise/", enrolment.randomise, name="randomise"),
    path(PARTICIPANT + "allocation/", enrolment.allocation, name="allocation"),
    path(
        PARTICIPANT + "measures/<int:weeks>/<str:instrument>/",
        enrolment.record_measure,
        name="record_measure",
    ),
    path(PARTICIPANT + "notes/new/", enrolment.add_note, name="add_note"),
    path(PARTICIPANT + "early-start/", enrolment.early_start, name="early_start"),
    path(PARTICIPANT + "release/", enrolment.release, name="release"),
    path(PARTICIPANT + "withdraw/", enrolment.withdraw, name="withdraw"),
    path(PARTICIPANT + "gp-attendance/", enrolment.record_attendance, name="record_attendance"),
    path("<int:pk>/exports/", exports.exports, name="exports"),
    path(EXPORT, exports.export_detail, name="export"),
    path(EXPORT + "progress/", exports.export_progress, name="export_progress"),
    path(EXPORT + "download/", exports.export_download, name="export_download"),
]
