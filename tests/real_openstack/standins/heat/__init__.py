"""Stand-in for heat's own paste factories (openstack-heat 24.0.0's etc/heat/api-paste.ini names them)."""
