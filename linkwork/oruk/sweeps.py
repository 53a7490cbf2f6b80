"""The ORUK imports' background sweep (see `linkwork.core.sweeps`): imports whose worker died
are marked failed."""

import datetime

from linkwork.core.sweeps import register_sweep

from .importer import fail_abandoned_imports

# Far longer than any import takes (1,000 services save in seconds; see bench/README.md).
ABANDONED_AFTER = datetime.timedelta(hours=6)


@register_sweep
def fail_stuck_imports() -> int:
    return fail_abandoned_imports(ABANDONED_AFTER)
