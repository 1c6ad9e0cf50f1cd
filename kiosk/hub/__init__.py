"""The venue hub: several stations, one day's cap and one list of who came, on PostgreSQL.

- ``schema`` and ``migrations``: the hub's own tables and functions (``kiosk hub upgrade``).
- ``admin``: what the venue's IT person runs as the owner role (init, add-station, import, status).
- ``link``: a station's connection to the hub; knows when the hub is out of reach.
- ``quota``: escrow leases, spent locally, fenced at the hub.
- ``replica``: the outbox's ``hub`` destination (idempotent upsert) and the pulls back.
"""
