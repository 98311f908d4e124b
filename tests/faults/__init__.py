"""Helpers for the operations tests: the daemon as a child process, a hostile site, configs."""
