"""``Mapper.resource``: Routes' RESTful route set, in Routes' exact order.

For ``resource("message", "messages")`` (Routes 2.5.1 order): POST create
(formatted, plain), GET index, GET new, the member actions (PUT update,
DELETE delete, GET edit), then GET show; every route has a
``.{format}`` twin first.

>>> from asgipaste.routes import Mapper
>>> m = Mapper()
>>> m.resource("message", "messages", collection={"rss": "GET"})
>>> [r.name for r in m.matchlist][:4]
['formatted_rss_messages', 'rss_messages', None, None]
"""

from __future__ import annotations

from typing import Any, Protocol

from asgipaste.errors import ConfigValueError

__all__ = ["add_resource", "strip_slashes"]

# Routes' default requirement for a member id: no "/" and no trailing backslash.
ID_REQUIREMENT = "[^\\/]+(?<!\\\\)"


class _Connects(Protocol):
    def connect(self, *args: Any, **kargs: Any) -> None: ...


def strip_slashes(name: str) -> str:
    """Remove one leading and one trailing ``/``."""
    if name.startswith("/"):
        name = name[1:]
    if name.endswith("/"):
        name = name[:-1]
    return name


def _swap(dct: dict[str, str], option: str) -> dict[str, list[str]]:
    """``{"action": "get"}`` → ``{"GET": ["action"]}``, keeping order."""
    swapped: dict[str, list[str]] = {}
    for key, val in dct.items():
        if not isinstance(val, str):
            raise ConfigValueError(
                f"resource(): the method for action {key!r} must be a str, got {val!r}",
                key=option,
                hint=f'{option}={{"{key}": "POST"}}',
            )
        swapped.setdefault(val.upper(), []).append(key)
    return swapped


def add_resource(mapper: _Connects, member_name: str, collection_name: str, **kwargs: Any) -> None:
    """Connect the routes of ``Mapper.resource`` (options as Routes: ``collection``, ``member``,
    ``new``, ``path_prefix``, ``name_prefix``, ``parent_resource``, ``controller``,
    ``requirements``, ``_filter``)."""
    collection = dict(kwargs.pop("collection", {}))
    member = dict(kwargs.pop("member", {}))
    new = dict(kwargs.pop("new", {}))
    path_prefix = kwargs.pop("path_prefix", None)
    name_prefix = kwargs.pop("name_prefix", None)
    parent_resource = kwargs.pop("parent_resource", None)
    if parent_resource is not None:
        if not isinstance(parent_resource, dict) or not {"member_name", "collection_name"} <= set(parent_resource):
            raise ConfigValueError(
                f"resource(): parent_resource must be a dict with 'member_name' and 'collection_name', "
                f"got {parent_resource!r}",
                key="parent_resource",
                hint='parent_resource={"member_name": "project", "collection_name": "projects"}',
            )
        if path_prefix is None:
            path_prefix = "{}/:{}_id".format(parent_resource["collection_name"], parent_resource["member_name"])
        if name_prefix is None:
            name_prefix = "{}_".format(parent_resource["member_name"])
    else:
        path_prefix = "" if path_prefix is None else path_prefix
        name_prefix = "" if name_prefix is None else name_prefix

    member["edit"] = "GET"
    new.update({"new": "GET"})
    collection_methods = _swap(collection, "collection")
    member_methods = _swap(member, "member")
    new_methods = _swap(new, "new")
    collection_methods.setdefault("POST", []).insert(0, "create")
    member_methods.setdefault("PUT", []).insert(0, "update")
    member_methods.setdefault("DELETE", []).insert(0, "delete")

    controller = strip_slashes(collection_name)
    path_prefix = "/" + strip_slashes(path_prefix)
    path = path_prefix + "/" + controller if path_prefix and path_prefix != "/" else "/" + controller
    collection_path = path
    new_path = path + "/new"
    member_path = path + "/:(id)"

    options: dict[str, Any] = {
        "controller": kwargs.get("controller", controller),
        "_member_name": member_name,
        "_collection_name": collection_name,
        "_parent_resource": parent_resource,
        "_filter": kwargs.get("_filter"),
    }
    if "requirements" in kwargs:
        options["requirements"] = kwargs["requirements"]

    def requirements_for(meth: str) -> dict[str, Any]:
        opts = options.copy()
        opts["conditions"] = {"method": [meth.upper()]}
        return opts

    connect = mapper.connect
    for method, lst in collection_methods.items():
        primary = (method != "GET" and lst.pop(0)) or None
        route_options = requirements_for(method)
        for action in lst:
            route_options["action"] = action
            route_name = f"{name_prefix}{action}_{collection_name}"
            connect("formatted_" + route_name, f"{collection_path}/{action}.:(format)", **route_options)
            connect(route_name, f"{collection_path}/{action}", **route_options)
        if primary:
            route_options["action"] = primary
            connect(f"{collection_path}.:(format)", **route_options)
            connect(collection_path, **route_options)

    connect(
        "formatted_" + name_prefix + collection_name,
        collection_path + ".:(format)",
        action="index",
        conditions={"method": ["GET"]},
        **options,
    )
    connect(
        name_prefix + collection_name,
        collection_path,
        action="index",
        conditions={"method": ["GET"]},
        **options,
    )

    for method, lst in new_methods.items():
        route_options = requirements_for(method)
        for action in lst:
            name = "new_" + member_name
            route_options["action"] = action
            if action == "new":
                new_route_path = new_path
                formatted_path = new_path + ".:(format)"
            else:
                new_route_path = f"{new_path}/{action}"
                name = action + "_" + name
                formatted_path = f"{new_path}/{action}.:(format)"
            connect("formatted_" + name_prefix + name, formatted_path, **route_options)
            connect(name_prefix + name, new_route_path, **route_options)

    for method, lst in member_methods.items():
        route_options = requirements_for(method)
        # As Routes: member routes get only the id requirement (not the caller's).
        route_options["requirements"] = {"id": ID_REQUIREMENT}
        primary = lst.pop(0) if method not in ["POST", "GET", "any"] else None
        for action in lst:
            route_options["action"] = action
            connect(
                f"formatted_{name_prefix}{action}_{member_name}",
                f"{member_path}/{action}.:(format)",
                **route_options,
            )
            connect(f"{name_prefix}{action}_{member_name}", f"{member_path}/{action}", **route_options)
        if primary:
            route_options["action"] = primary
            connect(f"{member_path}.:(format)", **route_options)
            connect(member_path, **route_options)

    route_options = requirements_for("GET")
    route_options["action"] = "show"
    route_options["requirements"] = {"id": ID_REQUIREMENT}
    connect("formatted_" + name_prefix + member_name, member_path + ".:(format)", **route_options)
    connect(name_prefix + member_name, member_path, **route_options)
