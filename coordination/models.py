"""议事协调 (coordination, 第十二章 CRD-1..CRD-5), leaders' leave and travel (第七十五条 LEAVE-1..3) and research days
(第七十九条 RES-1): the module Django loads. Each flow keeps its own tables in `coordination/<flow>/models.py`:

- `register`: the bodies, their grounds and seats, and the applications that change the register (CRD-1, CRD-2);
- `upkeep`: adjustments after leader changes (CRD-3), review rounds (CRD-4), annual targets (CRD-5);
- `absence`: leave and travel requests and the acting they set up (LEAVE-1..4);
- `research`: research days and key topics with their reports (RES-1).
"""

from .absence.models import *  # noqa: F403
from .absence.models import __all__ as _absence
from .register.models import *  # noqa: F403
from .register.models import __all__ as _register
from .research.models import *  # noqa: F403
from .research.models import __all__ as _research
from .upkeep.models import *  # noqa: F403
from .upkeep.models import __all__ as _upkeep

__all__ = [*_register, *_upkeep, *_absence, *_research]
