"""Tests of the QTI 2.1, QTI 3.0 and Canvas exporters (a package, so its conftest has a unique module name)."""
