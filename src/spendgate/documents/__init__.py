"""Documents: the YAML loader with locations, the models of every kind, the repository index."""
