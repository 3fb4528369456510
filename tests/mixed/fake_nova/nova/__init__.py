"""A stand-in for nova's WSGI API layer: legacy WSGI factories at the paths the
seed's api-paste.ini names, written the way nova wrote them (Paste URLMap
subclass, pipeline_factory reading CONF, Middleware.factory classmethods)."""
