"""The ``esl`` console's exit statuses (the table is in :mod:`ESL.cli`). Imports nothing."""

EXIT_OK = 0
EXIT_COMMAND_FAILED = 1
EXIT_USAGE = 2
EXIT_CONNECT = 3
EXIT_AUTH = 4
EXIT_LOST = 5
EXIT_TIMEOUT = 6
