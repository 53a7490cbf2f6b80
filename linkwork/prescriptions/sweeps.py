"""The prescriptions app's sweep (see `linkwork.core.sweeps`): chase receiving organisations that
have not answered a social prescription's link."""

from linkwork.core.sweeps import register_sweep

from .actions import chase_unanswered_links

register_sweep(chase_unanswered_links)
