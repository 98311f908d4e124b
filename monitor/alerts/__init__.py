"""Alerts: the message sent about an event, how it is rendered, and the channels that carry it."""
