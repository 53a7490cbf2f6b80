"""`scripts/lint_views_use_queries.py`: views, template tags, panels and alerts take people and
records only from `queries` modules. The check fails on a deliberately bad views module, names
the line, and passes on the code as it is."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "lint_views_use_queries.py"

BAD_VIEW = """\
from django.shortcuts import get_object_or_404, get_list_or_404 as all_or_404

from linkwork.partners.models import Site
from linkwork.referrals.models import Referral


def detail(request, pk):
    referral = Referral.objects.filter(pk=pk).first()
    site = get_object_or_404(Site, pk=pk)
    other = get_object_or_404(Referral.objects.select_related("person"), pk=pk)
    people = all_or_404(Referral, site=site)
    return referral, site, other, people
"""

GOOD_VIEW = """\
from django.shortcuts import get_object_or_404

from linkwork.referrals.queries import referral_for, referrals_for


def detail(request, pk, goal_pk):
    referral = referral_for(request.user, pk, "view_referral")
    goal = get_object_or_404(referral.goals.select_related("referral"), pk=goal_pk)
    listed = get_object_or_404(referrals_for(request.user), pk=pk)
    return referral, goal, listed, referral.allocations.filter(ended_at=None)
"""


def run(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own script, run by this interpreter)
        [sys.executable, str(SCRIPT), *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def write(root: Path, relative: str, source: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def test_a_views_module_using_a_model_fails_and_names_each_line(tmp_path):
    write(tmp_path, "app/views.py", BAD_VIEW)
    result = run(tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 4, result.stdout
    assert "views.py:8:" in lines[0] and "Referral.objects" in lines[0]
    assert "views.py:9:" in lines[1] and "get_object_or_404 on a bare model class: Site" in lines[1]
    assert "views.py:10:" in lines[2]
    assert "get_object_or_404 on a model's manager" in lines[2]
    assert "Referral.objects.select_related('person')" in lines[2]
    assert "views.py:11:" in lines[3] and "get_list_or_404 on a bare model class" in lines[3]
    assert "queries.py" in result.stderr


def test_scoped_reads_pass(tmp_path):
    write(tmp_path, "app/views.py", GOOD_VIEW)
    result = run(tmp_path)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    "module",
    [
        "app/views.py",
        "app/public_views.py",
        "app/views/people.py",
        "app/templatetags/people.py",
        "app/panels.py",
        "app/alerts.py",
    ],
)
def test_every_kind_of_page_module_is_checked(tmp_path, module):
    write(tmp_path, module, "from .models import Goal\n\nGOALS = Goal.objects.all()\n")
    result = run(tmp_path)
    assert result.returncode == 1
    assert f"{Path(module).name}:3:" in result.stdout


@pytest.mark.parametrize("module", ["app/queries.py", "app/actions.py", "app/sweeps.py"])
def test_queries_and_actions_may_use_models(tmp_path, module):
    write(tmp_path, module, "from .models import Goal\n\nGOALS = Goal.objects.all()\n")
    assert run(tmp_path).returncode == 0


def test_linkwork_passes():
    result = run()
    assert result.returncode == 0, result.stdout
    assert run(REPO / "linkwork").returncode == 0
