"""Make the program tests' helper module (progcorpus) importable whatever pytest's import mode."""

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for p in (_HERE, _HERE.parent.parent):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

collect_ignore_glob = ["corpus/*", "straight/*"]
