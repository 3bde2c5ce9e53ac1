"""Pure-Python FreeSWITCH Event Socket Library, API-compatible with the SWIG ``ESL`` module."""
