"""Use cases of the station; each takes the StationContext and does one unit of work."""
