"""Differences between the reference binding and ours that are intended.

EXPECTED maps a scenario name to:
* ``reason``: why (the reference crashes, hangs, closes fds it does not own, prints garbage...);
* ``keys``: the record keys allowed to differ (fnmatch patterns; ``"*"`` = all of them);
* ``ours`` (optional): record key -> fields ours must show (the safe behaviour we promise),
  checked even though the key differs.
The runner lists these apart and does not count them as failures.
"""

EXPECTED = {
}
