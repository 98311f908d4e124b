"""Implementations of the CLI commands that are more than a few lines."""
