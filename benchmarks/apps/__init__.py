"""Tiny server targets for the HTTP benchmarks (raw ASGI, Starlette, PasteDeploy-loaded WSGI)."""
