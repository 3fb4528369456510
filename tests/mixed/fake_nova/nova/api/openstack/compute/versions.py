from nova.wsgi import Application, make

Versions = make("oscomputeversionapp", Application)
