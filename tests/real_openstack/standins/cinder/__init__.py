"""Stand-in for cinder's own paste factories (cinder 26.0.0's etc/cinder/api-paste.ini names them)."""
