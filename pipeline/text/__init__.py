"""Pure text helpers: no I/O, no store, no config loading."""
