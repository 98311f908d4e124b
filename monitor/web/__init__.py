"""The web page for the desk: events, evidence, review, feeds and a read-only API."""
