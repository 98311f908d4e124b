"""Spiders of the newsmon crawler."""
