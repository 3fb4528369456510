"""Stand-in for manila's own paste factories (manila 20.0.0's etc/manila/api-paste.ini names them)."""
