"""Sentra kiosk: the headless core of a check-in station.

Nothing here imports a UI or device library, and nothing is built at import time;
``kiosk.bootstrap`` is the one place that assembles engines, services and devices.
"""
