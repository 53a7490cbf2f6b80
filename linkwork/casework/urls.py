"""Casework, under /casework/: the people in support and each one's record. The record is kept
per referral (a person referred twice has two), so its pages take the referral's id and say so:
`referrals/<pk>/`. The feedback pages are public, opened from the link emailed to the person."""

from django.urls import path

from .views import diary, public, staff

app_name = "casework"

RECORD = "referrals/<int:pk>/"

urlpatterns = [
    path("", staff.people, name="people"),
    path(RECORD, staff.record, name="record"),
    path(RECORD + "timeline/", staff.timeline, name="timeline"),
    path(RECORD + "what-matters/", staff.what_matters, name="what_matters"),
    path(RECORD + "plan/", staff.support_plan, name="support_plan"),
    path(RECORD + "plan/extend/", staff.extend_support, name="extend_support"),
    path(RECORD + "goals/new/", staff.add_goal, name="add_goal"),
    path(RECORD + "goals/<int:goal_pk>/", staff.goal, name="goal"),
    path(RECORD + "goals/<int:goal_pk>/rate/", staff.rate_goal, name="rate_goal"),
    path(RECORD + "goals/<int:goal_pk>/steps/", staff.add_goal_step, name="add_goal_step"),
    path(
        RECORD + "goals/<int:goal_pk>/steps/<int:step_pk>/done/",
        staff.complete_goal_step,
        name="complete_goal_step",
    ),
    path(RECORD + "goals/<int:goal_pk>/end/", staff.end_goal, name="end_goal"),
    path(RECORD + "contacts/new/", staff.log_contact, name="log_contact"),
    path(
        RECORD + "contacts/<int:contact_pk>/outcome/",
        staff.contact_outcome,
        name="contact_outcome",
    ),
    path(RECORD + "texts/", staff.texts, name="texts"),
    path(RECORD + "close/", staff.close, name="close"),
    path(RECORD + "reopen/", staff.reopen, name="reopen"),
    path(RECORD + "feedback/", staff.feedback, name="feedback"),
    path(RECORD + "feedback/link/", staff.feedback_link, name="feedback_link"),
    path("diary/", diary.week, name="diary"),
    path("diary/calendar/start/", diary.start_feed, name="diary_feed_start"),
    path("diary/calendar/stop/", diary.stop_feed, name="diary_feed_stop"),
    path("diary/calendar/<str:token>.ics", diary.feed, name="diary_feed"),
    path("feedback/thank-you/", public.feedback_thanks, name="feedback_thanks"),
    path("feedback/<str:signed>/", public.feedback, name="public_feedback"),
]
