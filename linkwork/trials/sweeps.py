"""Research trials' background sweep (see `linkwork.core.sweeps`): export files kept for their
time are deleted, and exports whose worker was lost are marked failed."""

from linkwork.core.sweeps import register_sweep

from .exports import delete_expired_files


@register_sweep
def tidy_trial_exports() -> int:
    return delete_expired_files()
