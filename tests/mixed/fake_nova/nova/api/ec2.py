from nova.wsgi import Application, Middleware, make

FaultWrapper = make("ec2faultwrap", Middleware)
RequestLogging = make("logrequest", Middleware)
Lockout = make("ec2lockout", Middleware)
EC2KeystoneAuth = make("ec2keystoneauth", Middleware)
NoAuth = make("ec2noauth", Middleware)
Requestify = make("cloudrequest", Middleware)
Authorizer = make("authorizer", Middleware)
Validator = make("validator", Middleware)
Executor = make("ec2executor", Application)
