"""Stand-in for neutron's own paste factories (neutron 26.0.0's etc/api-paste.ini names them)."""
