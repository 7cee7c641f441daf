"""Corpus-level analysis helpers called by stages; they never open the store."""
