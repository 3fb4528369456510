from nova.wsgi import Middleware, json_response


class RequestBodySizeLimiter(Middleware):
    name = "sizelimit"

    def process_request(self, environ, start_response):  # type: ignore[no-untyped-def]
        if int(environ.get("CONTENT_LENGTH") or 0) > int(self.config.get("max", 114688)):
            return json_response(start_response, "413 Request Entity Too Large", {"overLimit": {"code": 413}})
        return None
