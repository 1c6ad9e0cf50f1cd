"""The station database: tables, engine, migrations, transactions."""
