"""The seed's Paste Deployment tutorial code, unchanged but for Python 3's print().

(From the blog post in shared/seed: FirstApp, SecondApp, FirstFilter,
SecondFilter, written with WebOb for WSGI.)
"""
# ruff: noqa
from webob import Response


class FirstApp():
    def __call__(self, environ, start_response):
        res = Response()
        res.status = '200 OK'
        res.content_type = 'text/plain'
        content = []
        content.append('I am first app')
        res.body = '\n'.join(content).encode()
        return res(environ, start_response)

    @classmethod
    def factory(cls, global_conf, **kwargs):
        return cls()


class FirstFilter():
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        print('first filter')
        return self.app(environ, start_response)

    @classmethod
    def factory(cls, global_conf, **kwargs):
        return cls


class SecondFilter():
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        print('second filter')
        return self.app(environ, start_response)

    @classmethod
    def factory(cls, global_conf, **kwargs):
        return cls


class SecondApp():
    def __call__(self, environ, start_response):
        res = Response()
        res.status = '200 OK'
        res.content_type = 'text/plain'
        content = []
        content.append('I am second app')
        res.body = '\n'.join(content).encode()
        return res(environ, start_response)

    @classmethod
    def factory(cls, global_conf, **kwargs):
        return cls()
