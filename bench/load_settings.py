"""Settings for the production server under `bench/load.py`: the production settings as they
are, plus one bare view (`/bench/bare`) that measures what Django costs with nothing to do."""

from linkwork.config.settings.production import *  # noqa: F403

ROOT_URLCONF = "load_urls"
