"""会议 (meetings, 第十章 MTG-1..MTG-12): the module Django loads. The tables live with their flows —
`meeting` (meetings, topics, papers, invitations, leave), `minutes` (minutes, signing chains, decisions) and
`schedule` (postponements, the MTG-11 plan, district-wide meetings, the .ics token) — and keep their app label,
names and migrations."""

from .meeting.models import *  # noqa: F403
from .meeting.models import __all__ as _meeting
from .minutes.models import *  # noqa: F403
from .minutes.models import __all__ as _minutes
from .schedule.models import *  # noqa: F403
from .schedule.models import __all__ as _schedule

__all__ = [*_meeting, *_minutes, *_schedule]
