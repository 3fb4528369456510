from nova.wsgi import Middleware, json_response


class NoAuthMiddleware(Middleware):
    name = "noauth"

    def process_request(self, environ, start_response):  # type: ignore[no-untyped-def]
        token = environ.get("HTTP_X_AUTH_TOKEN")
        if not token:
            return json_response(start_response, "401 Unauthorized", {"unauthorized": {"code": 401}})
        environ["nova.context"] = {"user": token.partition(":")[0], "project": token.partition(":")[2]}
        return None


class NoAuthMiddlewareV3(NoAuthMiddleware):
    name = "noauth_v3"
