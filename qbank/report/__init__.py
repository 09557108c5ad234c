"""Rendering results for people and machines: diagnostic reporters and the coverage page."""
