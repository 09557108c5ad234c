"""The core layer: the question model, diagnostics and configuration. Imports nothing else of qbank."""
