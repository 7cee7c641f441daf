"""Format-specific readers behind :func:`pipeline.readers.read_file`."""
