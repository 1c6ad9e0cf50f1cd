"""Adapters behind the core's device ports (``kiosk.ports``), each with a fake twin."""
