"""The documents app's tables, one module per flow; Django loads them from here (app label `documents`)."""

from .outgoing.models import *  # noqa: F403
from .register.models import *  # noqa: F403
from .shared.choices import *  # noqa: F403
from .shared.models import *  # noqa: F403
from .submissions.models import *  # noqa: F403
