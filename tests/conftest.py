"""Every ``quod`` a test spawns (``python -m quod.cli``, the ``quod`` script) runs this tree's code,
not whatever Quod is installed: this tree goes first on ``PYTHONPATH``, which subprocesses inherit."""

import os
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:     # the tests' helper modules (quodcli)
    sys.path.insert(0, str(Path(__file__).resolve().parent))

_ROOT = str(Path(__file__).resolve().parent.parent)
_rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != _ROOT]
os.environ["PYTHONPATH"] = os.pathsep.join([_ROOT] + _rest)

# ... and keeps its proof cache in the directory it runs in (each test's own), not the user's
os.environ["QUOD_CACHE_DIR"] = ".quod-cache"
