"""Data files shipped with tthc_sla (official notices)."""
