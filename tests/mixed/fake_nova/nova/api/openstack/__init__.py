from nova.wsgi import Middleware, make

FaultWrapper = make("faultwrap", Middleware)
