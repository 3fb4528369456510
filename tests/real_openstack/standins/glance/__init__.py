"""Stand-in for glance's own paste factories (glance 30.0.0's etc/glance-api-paste.ini names them)."""
