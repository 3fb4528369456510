from nova.wsgi import Application, make

APIRouter = make("osapi_compute_app_v2", Application)
APIRouterV3 = make("osapi_compute_app_v3", Application)
