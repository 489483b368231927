"""The one exception type for bad input from a user.

Every check of user input (command-line values, CSV files, weight files) raises
:class:`InputError` with a message that reads as one complete line. The command
line turns it into ``tui-backprop: error: <message>`` on stderr and exit code 2;
no traceback is ever shown for it.
"""


class InputError(ValueError):
    """A user-facing, one-line description of what is wrong with the input."""
