"""PasteDeploy's FakeApp fixture, re-expressed with ASGI apps."""
