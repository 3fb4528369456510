"""Stand-in for keystone 13.0.4's own paste factories (its entry points: keystone-13.0.4.dist-info)."""
