from django.urls import path

from .views import public, staff

app_name = "casework"

urlpatterns = [
    path("people/", staff.people, name="people"),
    path("people/<int:pk>/", staff.record, name="record"),
    path("people/<int:pk>/what-matters/", staff.what_matters, name="what_matters"),
    path("people/<int:pk>/plan/", staff.support_plan, name="support_plan"),
    path("people/<int:pk>/plan/extend/", staff.extend_support, name="extend_support"),
    path("people/<int:pk>/goals/new/", staff.add_goal, name="add_goal"),
    path("people/<int:pk>/goals/<int:goal_pk>/", staff.goal, name="goal"),
    path("people/<int:pk>/goals/<int:goal_pk>/rate/", staff.rate_goal, name="rate_goal"),
    path("people/<int:pk>/goals/<int:goal_pk>/steps/", staff.add_goal_step, name="add_goal_step"),
    path(
        "people/<int:pk>/goals/<int:goal_pk>/steps/<int:step_pk>/done/",
        staff.complete_goal_step,
        name="complete_goal_step",
    ),
    path("people/<int:pk>/goals/<int:goal_pk>/end/", staff.end_goal, name="end_goal"),
    path("people/<int:pk>/contacts/new/", staff.log_contact, name="log_contact"),
    path(
        "people/<int:pk>/contacts/<int:contact_pk>/outcome/",
        staff.contact_outcome,
        name="contact_outcome",
    ),
    path("people/<int:pk>/close/", staff.close, name="close"),
    path("people/<int:pk>/reopen/", staff.reopen, name="reopen"),
    path("people/<int:pk>/feedback/", staff.feedback, name="feedback"),
    path("people/<int:pk>/feedback/link/", staff.feedback_link, name="feedback_link"),
    path("feedback/thank-you/", public.feedback_thanks, name="feedback_thanks"),
    path("feedback/<str:signed>/", public.feedback, name="public_feedback"),
]
