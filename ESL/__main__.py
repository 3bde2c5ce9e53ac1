"""``python -m ESL``: the fs_cli work-alike console (see :mod:`ESL.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m ESL"))
