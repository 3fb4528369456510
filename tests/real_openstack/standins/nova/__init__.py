"""Stand-in for nova's own paste factories (nova 31.0.0's etc/nova/api-paste.ini names them)."""
