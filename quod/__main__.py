"""``python -m quod``: the ``quod`` command."""

import sys

from .cli import main

sys.exit(main())
