"""The demo's reports: case studies the manager has written for the funder report, checked for
identifiers by the same action a manager's are (so the demo cannot show one that would be
refused). The service timeline's own events are in the demo's history."""

from linkwork.reports import actions
from linkwork.reports.models import CaseStudy, FunderReport, ServiceEvent

# Wiped before the demo is loaded again: reports first (they point at case studies).
REPORT_MODELS = (FunderReport, CaseStudy, ServiceEvent)

# (site, days ago it was written, title, text)
CASE_STUDIES = (
    (
        "powys",
        24,
        "Back to the allotment",
        "Person A, in her seventies, had stopped going out after her husband died and was "
        "visiting her GP most weeks. Her link coordinator met her at home, then went with her "
        "to the community garden twice before she went alone. Twelve weeks later she keeps a "
        "plot with two neighbours, and has not needed the surgery for a month. She says: "
        "\u201cI have somewhere to be on a Tuesday again.\u201d",
    ),
    (
        "rhondda",
        10,
        "A phone call a week, through lockdown",
        "Person B was referred by the ambulance service after several calls at night. Lockdown "
        "started the week support did, so every session was by telephone. Together they sorted "
        "out a benefit claim with Citizens Advice and found an online choir. Person B still "
        "sings with them and now volunteers to ring new members.",
    ),
)


def build_demo_reports(demo) -> None:
    manager = demo.users["manager"]
    for site, days, title, text in CASE_STUDIES:
        written = demo.moment(days)
        with demo.as_of(written):
            study = actions.save_case_study(
                None, by=manager, site=demo.sites[site], title=title, text=text
            )
        CaseStudy.objects.filter(pk=study.pk).update(created_at=written, changed_at=written)
