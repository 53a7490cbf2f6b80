"""Referrals, under /referrals/: making and recording one, the list, one referral's pages
(`<pk>/`, its id), the waiting list, caseloads, pathway settings, and the public self-referral
form (linked from posters and practice websites)."""

from django.urls import path

from .views import public, staff

app_name = "referrals"

urlpatterns = [
    path("", staff.referral_list, name="list"),
    path("new/", staff.refer, name="refer"),
    path("record/", staff.record_referral, name="record"),
    path("<int:pk>/", staff.referral_detail, name="detail"),
    path("<int:pk>/triage/", staff.triage, name="triage"),
    path("<int:pk>/information/", staff.provide_information, name="provide_information"),
    path("<int:pk>/allocate/", staff.allocate, name="allocate"),
    path("<int:pk>/interim-contact/", staff.interim_contact, name="interim_contact"),
    path("<int:pk>/withdraw/", staff.withdraw, name="withdraw"),
    path("<int:pk>/open/", staff.open_with_reason, name="open_with_reason"),
    path("opened-with-a-reason/", staff.reasons_given, name="reasons_given"),
    path("waiting-list/", staff.waiting_list, name="waiting_list"),
    path("my-caseload/", staff.my_caseload, name="my_caseload"),
    path("caseloads/", staff.caseloads, name="caseloads"),
    path("caseloads/<int:pk>/cap/", staff.caseload_cap, name="caseload_cap"),
    path("settings/pathways/", staff.pathway_list, name="pathways"),
    path("settings/pathways/new/", staff.pathway_edit, name="pathway_new"),
    path("settings/pathways/<int:pk>/", staff.pathway_edit, name="pathway_edit"),
    path("self-referral/", public.self_referral_sites, name="self_referral_sites"),
    path("self-referral/<slug:site>/", public.self_referral, name="self_referral"),
    path(
        "self-referral/<slug:site>/sent/",
        public.self_referral_sent,
        name="self_referral_sent",
    ),
]
