"""The public names are frozen: changing them is a deliberate, visible act."""

from __future__ import annotations

import asgipaste


def test_public_names_are_frozen() -> None:
    assert sorted(asgipaste.__all__) == [
        "ConfigError",
        "LoadedStack",
        "StackNode",
        "__version__",
        "appconfig",
        "check_config",
        "converters",
        "declare_asgi",
        "declare_wsgi",
        "load_stack",
        "loadapp",
        "loadfilter",
        "loadserver",
        "register_scheme",
    ]


def test_every_public_name_exists_and_is_documented() -> None:
    for name in asgipaste.__all__:
        obj = getattr(asgipaste, name)
        if callable(obj):
            assert obj.__doc__, name


def test_paste_deploy_signatures() -> None:
    import inspect

    for name in ("loadapp", "loadfilter", "loadserver", "appconfig"):
        params = inspect.signature(getattr(asgipaste, name)).parameters.values()
        positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        keyword_only = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
        assert positional == ["uri", "name", "relative_to", "global_conf"], name
        # Additions are keyword-only, so PasteDeploy-style calls cannot shift.
        assert keyword_only == (["protocol"] if name == "loadapp" else []), name
