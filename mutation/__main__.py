"""`python -m mutation`: the mutation score of the reference server (mutation/score.py)."""

import sys

from .score import main

sys.exit(main())
