"""The event-socket wire format, with no I/O: bytes in, frames out; commands in, bytes out."""
