"""On a phone, no page scrolls sideways, nor on a laptop. Every page of the permission matrix
(tests/accounts/test_permission_matrix.py) that a role may open is opened as that role, in
Chromium 375 px wide and again 1280 px wide, and the page must be no wider than the screen:
tables scroll inside their own box, long links wrap, forms and summary lists stack. One object
per page (the matrix's `url_of`), then each role that may see it. The trials, reports and
partners matrices have the same test beside their own (test_phone_width.py in each)."""

import pytest

from tests.accounts.test_permission_matrix import CASES, url_of  # noqa: F401

from .widths import pages_too_wide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Answers that are not pages for people (JSON, a download).
NOT_PAGES = ("healthz", "audit_export", "letters_pdf", "sar_download", "processing_pdf")


@pytest.mark.parametrize("width", [375, 1280])
def test_no_page_in_the_permission_matrix_scrolls_sideways(
    width,
    browser,
    live_server,
    url_of,  # noqa: F811
    request,
):
    # One person in support per page about one: more than a caseload's usual cap.
    coordinator = request.getfixturevalue("coordinator_a")
    coordinator.caseload_cap = 100
    coordinator.save(update_fields=["caseload_cap"])
    opened, too_wide = pages_too_wide(
        browser, live_server, url_of, CASES, request, width, skip=NOT_PAGES
    )
    assert opened > 100
    assert not too_wide, f"Wider than the {width} px screen:\n" + "\n".join(too_wide)
