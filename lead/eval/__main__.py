"""``python -m lead.eval``: same as the ``lead-eval`` command."""

import sys

from lead.eval.cli import main

sys.exit(main())
