"""督查督办 (supervision, 第九章 SUP-1..SUP-6, with PUB-1 and PUB-3): the module Django loads for the app's models.

Each flow keeps its own models (the layout: `supervision/<flow>/models.py`); this module only gathers them so that
the app label, the model names and the migrations stay what they are.
- `ledger`: the items (督查事项) and their lifecycle, attachments;
- `reports`: progress reports, half-year reports (SUP-2), rectification (SUP-3);
- `outcomes`: praise, incentive, criticism, accountability (SUP-4);
- `public`: website inquiries (PUB-1), suggestions and proposals (PUB-3);
- `shared`: the yearly number series.
"""

from .ledger.models import *  # noqa: F403
from .ledger.models import __all__ as _ledger
from .outcomes.models import *  # noqa: F403
from .outcomes.models import __all__ as _outcomes
from .public.models import *  # noqa: F403
from .public.models import __all__ as _public
from .reports.models import *  # noqa: F403
from .reports.models import __all__ as _reports
from .shared.models import *  # noqa: F403
from .shared.models import __all__ as _shared

__all__ = [*_ledger, *_reports, *_outcomes, *_public, *_shared]
