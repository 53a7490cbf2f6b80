"""No page of this app's permission matrix (test_permissions.py) scrolls sideways at 375 px
or at 1280 px, as each role that may open it (see tests/system/test_phone_width.py)."""

import pytest

from tests.system.widths import pages_too_wide

from .test_permissions import CASES, other_researcher, other_trial_manager, url_of  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_no_page_scrolls_sideways(
    width,
    browser,
    live_server,
    url_of,  # noqa: F811
    request,
):
    opened, too_wide = pages_too_wide(
        browser, live_server, url_of, CASES, request, width, skip=("export_download",)
    )
    assert opened >= 20
    assert not too_wide, f"Wider than the {width} px screen:\n" + "\n".join(too_wide)
