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
        params = list(inspect.signature(getattr(asgipaste, name)).parameters)
        assert params == ["uri", "name", "relative_to", "global_conf"], name
