"""nova.api.wsgi: Application, Middleware and Router (the shapes every nova factory builds on)."""

from openstack_standin_kit import Application, Middleware, Request, Router

__all__ = ["Application", "Middleware", "Request", "Router"]
