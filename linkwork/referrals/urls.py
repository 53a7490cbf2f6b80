from django.urls import path

from . import public_views, views

app_name = "referrals"

urlpatterns = [
    path("refer/", views.refer, name="refer"),
    path("referrals/", views.referral_list, name="list"),
    path("referrals/record/", views.record_referral, name="record"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/triage/", views.triage, name="triage"),
    path("referrals/<int:pk>/information/", views.provide_information, name="provide_information"),
    path("referrals/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("referrals/<int:pk>/interim-contact/", views.interim_contact, name="interim_contact"),
    path("referrals/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("waiting-list/", views.waiting_list, name="waiting_list"),
    path("caseload/", views.my_caseload, name="my_caseload"),
    path("caseloads/", views.caseloads, name="caseloads"),
    path("caseloads/<int:pk>/cap/", views.caseload_cap, name="caseload_cap"),
    path("settings/pathways/", views.pathway_list, name="pathways"),
    path("settings/pathways/new/", views.pathway_edit, name="pathway_new"),
    path("settings/pathways/<int:pk>/", views.pathway_edit, name="pathway_edit"),
    path("self-referral/", public_views.self_referral_sites, name="self_referral_sites"),
    path("self-referral/<slug:site>/", public_views.self_referral, name="self_referral"),
    path(
        "self-referral/<slug:site>/sent/",
        public_views.self_referral_sent,
        name="self_referral_sent",
    ),
]
