"""The layers hold: `lint-imports` (in `make lint`, so in CI) passes on the code as it is, and
fails when an app imports one above it, at the top of a module or inside a function, or when
a new app has not been given a layer. Production settings never install the demo."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports() -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our own lint-imports, fixed arguments)
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def probe():
    """Write a module into the package for one lint run, and always take it away again."""
    written: list[Path] = []

    def write(relative: str, source: str) -> None:
        path = ROOT / "linkwork" / relative
        path.parent.mkdir(exist_ok=True)
        written.append(path)
        path.write_text(textwrap.dedent(source))

    yield write
    for path in reversed(written):
        path.unlink()
        if path.name == "__init__.py":
            path.parent.rmdir()


def test_the_layers_hold_today():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_from_a_higher_app_breaks_the_layers(probe):
    # The platform reaching into the pathway: the kind of import the layers forbid.
    probe("core/_layer_probe.py", "from linkwork.referrals import models  # noqa: F401\n")
    result = lint_imports()
    assert result.returncode != 0
    assert "linkwork.core._layer_probe -> linkwork.referrals" in result.stdout


def test_a_function_level_import_breaks_them_too(probe):
    probe(
        "referrals/_layer_probe.py",
        """
        def home_counts():
            from linkwork.casework.queries import caseload_alerts

            return caseload_alerts
        """,
    )
    result = lint_imports()
    assert result.returncode != 0
    assert "linkwork.referrals._layer_probe -> linkwork.casework" in result.stdout


def test_apps_in_one_layer_may_not_import_each_other(probe):
    probe("unmet/_layer_probe.py", "from linkwork.safeguarding import models  # noqa: F401\n")
    result = lint_imports()
    assert result.returncode != 0
    assert "linkwork.unmet._layer_probe -> linkwork.safeguarding" in result.stdout


def test_a_new_app_must_be_given_a_layer(probe):
    probe("newapp/__init__.py", "")
    result = lint_imports()
    assert result.returncode != 0
    assert "linkwork.newapp" in result.stdout


def test_production_settings_do_not_install_the_demo():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "linkwork.config.settings.production",
        "SECRET_KEY": "x" * 50,
        "EMAIL_HOST": "mail.invalid",
        "SITE_URL": "https://linkwork.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        # Settings never connect on import; production refuses SQLite unless allowed.
        "DATABASE_URL": "postgres://linkwork@db.example.org:5432/linkwork",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.core.management import get_commands; "
        "print('linkwork.demo' in settings.INSTALLED_APPS, 'load_demo' in get_commands())"
    )
    result = subprocess.run(  # noqa: S603  (this Python, fixed arguments)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_the_layer_diagram_in_the_docs_is_the_one_ci_enforces():
    result = subprocess.run(  # noqa: S603  (this Python, our own script)
        [sys.executable, str(ROOT / "scripts" / "layers.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_stale_diagram_is_caught():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import layers
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    current = layers.DOCUMENT.read_text()
    stale = current.replace(' · messaging"]', '"]', 1)
    assert stale != current
    assert layers.with_diagram(stale) == current
