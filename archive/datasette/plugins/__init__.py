"""One-off Datasette plugins, loaded with ``--plugins-dir`` by ``archive.serve``."""
