from nova.wsgi import Application, make

MetadataRequestHandler = make("metaapp", Application)
