from nova.wsgi import Middleware, make

RateLimitingMiddleware = make("ratelimit", Middleware)
