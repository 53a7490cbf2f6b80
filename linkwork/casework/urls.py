from django.urls import path

from . import public_views, views

app_name = "casework"

urlpatterns = [
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.record, name="record"),
    path("people/<int:pk>/what-matters/", views.what_matters, name="what_matters"),
    path("people/<int:pk>/plan/", views.support_plan, name="support_plan"),
    path("people/<int:pk>/plan/extend/", views.extend_support, name="extend_support"),
    path("people/<int:pk>/goals/new/", views.add_goal, name="add_goal"),
    path("people/<int:pk>/goals/<int:goal_pk>/", views.goal, name="goal"),
    path("people/<int:pk>/goals/<int:goal_pk>/rate/", views.rate_goal, name="rate_goal"),
    path("people/<int:pk>/goals/<int:goal_pk>/steps/", views.add_goal_step, name="add_goal_step"),
    path(
        "people/<int:pk>/goals/<int:goal_pk>/steps/<int:step_pk>/done/",
        views.complete_goal_step,
        name="complete_goal_step",
    ),
    path("people/<int:pk>/goals/<int:goal_pk>/end/", views.end_goal, name="end_goal"),
    path("people/<int:pk>/contacts/new/", views.log_contact, name="log_contact"),
    path(
        "people/<int:pk>/contacts/<int:contact_pk>/outcome/",
        views.contact_outcome,
        name="contact_outcome",
    ),
    path("people/<int:pk>/close/", views.close, name="close"),
    path("people/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("people/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("people/<int:pk>/feedback/link/", views.feedback_link, name="feedback_link"),
    path("feedback/thank-you/", public_views.feedback_thanks, name="feedback_thanks"),
    path("feedback/<str:signed>/", public_views.feedback, name="public_feedback"),
]
