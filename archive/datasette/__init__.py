"""Datasette publication of the archive: metadata and one-off plugins (loaded by path)."""
