"""Stand-in for barbican's own paste factories (barbican 20.0.0's etc/barbican/barbican-api-paste.ini)."""
