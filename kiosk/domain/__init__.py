"""Pure domain rules: no database, no devices, no clock reads."""
