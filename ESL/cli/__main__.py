"""``python -m ESL.cli``: the same console as ``esl`` and ``python -m ESL``."""
import sys

from . import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m ESL.cli"))
