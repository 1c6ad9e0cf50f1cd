"""Sending the station's records to the central server: the port, its adapters, and the drainer."""
