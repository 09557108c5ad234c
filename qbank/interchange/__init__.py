"""Conventions of one interchange format shared by its importer and its exporter, written once."""
