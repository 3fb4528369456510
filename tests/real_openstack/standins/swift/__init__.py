"""Stand-in for swift's own paste factories (swift 2.35.0's etc/proxy-server.conf-sample names them)."""
