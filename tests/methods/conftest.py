"""Shared helpers of the methods' tests (``methods_support.py``, ``oracle_common.py``): importable
by name from the test modules of this folder.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
