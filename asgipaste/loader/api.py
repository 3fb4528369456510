"""The public loading API: PasteDeploy's four functions, returning ASGI.

parse (``_ini``) → resolve into a plan (``_plan``) → build (``_build``).
"""

from __future__ import annotations

from typing import Any, Literal

from asgipaste.errors import ConfigError, ConfigValueError
from asgipaste.loader.build import build_app, build_node, build_server, finish, run_in_session
from asgipaste.loader.plan import AttrDict, Node
from asgipaste.loader.references import APP, FILTER, SERVER, ObjectType
from asgipaste.loader.resolve import loadcontext
from asgipaste.stack import LoadedStack

__all__ = ["appconfig", "check_config", "load_stack", "loadapp", "loadfilter", "loadserver"]


def _context(
    object_type: ObjectType,
    uri: str,
    name: str | None,
    relative_to: str | None,
    global_conf: dict[str, Any] | None,
) -> Node:
    if not isinstance(uri, str):
        raise TypeError(f"uri must be a string such as 'config:app.ini', not {type(uri).__name__}")
    return loadcontext(object_type, uri, name=name, relative_to=relative_to, global_conf=global_conf)


def load_stack(
    uri: str,
    name: str | None = None,
    relative_to: str | None = None,
    global_conf: dict[str, Any] | None = None,
) -> LoadedStack:
    """Load an app and return the whole :class:`~asgipaste.stack.LoadedStack`.

    Besides the ASGI app it holds the fused WSGI app when the tree is WSGI all
    the way down (servers with a WSGI interface use it) and the graph that
    ``asgipaste graph`` prints.

    >>> stack = load_stack("config:api-paste.ini#osapi_compute", relative_to="/etc/nova")  # doctest: +SKIP
    >>> stack.wsgi is None, stack.graph.kind  # doctest: +SKIP
    (True, 'composite')
    """
    node = _context(APP, uri, name, relative_to, global_conf)
    stack: LoadedStack = run_in_session(lambda: finish(build_app(node), node.label, node.file))
    return stack


def loadapp(
    uri: str,
    name: str | None = None,
    relative_to: str | None = None,
    global_conf: dict[str, Any] | None = None,
    *,
    protocol: Literal["asgi", "wsgi"] = "asgi",
) -> Any:
    """Load an application from a Paste Deployment URI: an ASGI 3 app, or with ``protocol="wsgi"`` a WSGI app.

    The WSGI form of a tree that is WSGI all the way down is the fused WSGI app
    itself. A mixed tree's urlmaps dispatch in WSGI, its WSGI branches are
    called as they are, and its ASGI parts run on one event loop of the
    process's own (see :func:`asgipaste.urlmap.wsgi.wsgi_form`).

    >>> app = loadapp("config:development.ini", relative_to=".")  # doctest: +SKIP
    >>> app = loadapp("config:/etc/nova/api-paste.ini", name="osapi_compute")  # doctest: +SKIP
    >>> wsgi_app = loadapp("config:/etc/nova/api-paste.ini", name="osapi_compute", protocol="wsgi")  # doctest: +SKIP
    """
    if protocol not in ("asgi", "wsgi"):
        raise ConfigValueError(f"protocol must be 'asgi' or 'wsgi', not {protocol!r}", key="protocol")
    stack = load_stack(uri, name=name, relative_to=relative_to, global_conf=global_conf)
    if protocol == "wsgi":
        from asgipaste.urlmap.wsgi import wsgi_form  # a loop host (asyncio, anyio): only when asked for

        return wsgi_form(stack.asgi, stack.wsgi, name=stack.name)
    return stack.asgi


def loadfilter(
    uri: str,
    name: str | None = None,
    relative_to: str | None = None,
    global_conf: dict[str, Any] | None = None,
) -> Any:
    """Load a filter: a callable taking an ASGI app and returning an ASGI app.

    WSGI filters are joined to the app they wrap as the loader joins them.

    >>> gzip = loadfilter("config:app.ini#gzip", relative_to=".")  # doctest: +SKIP
    >>> app = gzip(my_asgi_app)  # doctest: +SKIP
    """
    node = _context(FILTER, uri, name, relative_to, global_conf)
    return build_node(node)


def loadserver(
    uri: str,
    name: str | None = None,
    relative_to: str | None = None,
    global_conf: dict[str, Any] | None = None,
) -> Any:
    """Load a server: a callable that serves the app it is given.

    >>> serve = loadserver("config:app.ini", relative_to=".")  # doctest: +SKIP
    >>> serve(loadapp("config:app.ini", relative_to="."))  # doctest: +SKIP
    """
    node = _context(SERVER, uri, name, relative_to, global_conf)
    return build_server(node)


def appconfig(
    uri: str,
    name: str | None = None,
    relative_to: str | None = None,
    global_conf: dict[str, Any] | None = None,
) -> AttrDict:
    """The merged configuration of an app section, instantiating nothing.

    >>> conf = appconfig("config:development.ini", relative_to=".")  # doctest: +SKIP
    >>> conf["sqlalchemy.url"], conf.global_conf["here"], conf.local_conf  # doctest: +SKIP
    """
    return _context(APP, uri, name, relative_to, global_conf).config()


def check_config(
    path: str,
    names: list[str] | None = None,
    global_conf: dict[str, Any] | None = None,
    *,
    strict: bool = False,
) -> list[ConfigError]:
    """Every problem found by loading each section of ``path`` (or the apps ``names``), each once.

    Problems in sections that no entry point of the file reaches are left out
    unless ``strict`` (``asgipaste check`` shows them as warnings; see
    :mod:`asgipaste.loader.check`).

    >>> for problem in check_config("api-paste.ini"):  # doctest: +SKIP
    ...     print(problem)
    """
    from asgipaste.loader.check import check_file  # only when checking: keeps `import asgipaste` light

    report = check_file(path, names=names, global_conf=global_conf)
    if strict:
        return report.errors + [w for w in report.warnings if isinstance(w, ConfigError)]
    return report.errors

