"""``submapper`` and ``collection``: partial mappers that pre-fill connect options.

Ports ``routes.mapper.SubMapperParent`` / ``SubMapper`` (Routes 2.5.1).

>>> from asgipaste.routes import Mapper
>>> m = Mapper()
>>> c = m.collection("entries", "entry")
>>> c.member.link("ping", method="POST")
>>> m.match("/entries/1/ping", environ={"REQUEST_METHOD": "POST"})["action"]
'ping'
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["COLLECTION_ACTIONS", "MEMBER_ACTIONS", "SubMapper", "SubMapperParent"]

COLLECTION_ACTIONS = ["index", "create", "new"]
MEMBER_ACTIONS = ["show", "update", "delete", "edit"]


class _Connector(Protocol):
    def connect(self, *args: Any, **kwargs: Any) -> Any: ...


class SubMapperParent:
    """Base of :class:`Mapper` and :class:`SubMapper`: both can make sub-mappers."""

    def submapper(self, **kargs: Any) -> SubMapper:
        """A partial mapper whose ``connect`` merges ``kargs`` in (``path_prefix`` prepends).

        >>> from asgipaste.routes import Mapper
        >>> m = Mapper()
        >>> s = m.submapper(controller="home", path_prefix="/home")
        >>> s.connect("index", "/index", action="index")
        >>> m.match("/home/index") == {"controller": "home", "action": "index"}
        True
        """
        return SubMapper(self, **kargs)

    def collection(
        self,
        collection_name: str | None,
        resource_name: str | None,
        path_prefix: str | None = None,
        member_prefix: str = "/{id}",
        controller: str | None = None,
        collection_actions: list[str] = COLLECTION_ACTIONS,
        member_actions: list[str] = MEMBER_ACTIONS,
        member_options: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> SubMapper:
        """A sub-mapper for a collection, with a ``.member`` sub-mapper for its members.

        >>> from asgipaste.routes import Mapper
        >>> m = Mapper()
        >>> c = m.collection("entries", "entry")
        >>> m.match("/entries/1/edit", environ={"REQUEST_METHOD": "GET"})["action"]
        'edit'
        """
        if controller is None:
            controller = resource_name or collection_name
        if path_prefix is None:
            path_prefix_str = "" if collection_name is None else "/{collection_name}"
        else:
            path_prefix_str = "{pre}" if collection_name is None else "{pre}/{collection_name}"
        prefix = path_prefix_str.format(pre=path_prefix, collection_name=collection_name)
        collection = SubMapper(
            self,
            collection_name=collection_name,
            resource_name=resource_name,
            path_prefix=prefix,
            controller=controller,
            actions=collection_actions,
            **kwargs,
        )
        collection.member = SubMapper(
            collection, path_prefix=member_prefix, actions=member_actions, **(member_options or {})
        )
        return collection


def _kwargs_with_conditions(kwargs: dict[str, Any], method: Any) -> dict[str, Any]:
    if method and "conditions" not in kwargs:
        newkwargs = kwargs.copy()
        newkwargs["conditions"] = {"method": method}
        return newkwargs
    return kwargs


class SubMapper(SubMapperParent):
    """A partial mapper (see :meth:`SubMapperParent.submapper`); usable as a context manager."""

    def __init__(
        self,
        obj: Any,
        resource_name: str | None = None,
        collection_name: str | None = None,
        actions: list[str] | None = None,
        formatted: bool | None = None,
        **kwargs: Any,
    ) -> None:
        self.kwargs = kwargs
        self.obj: _Connector = obj
        self.collection_name = collection_name
        self.member: SubMapper | None = None
        self.resource_name: str | None = (
            resource_name
            or getattr(obj, "resource_name", None)
            or kwargs.get("controller")
            or getattr(obj, "controller", None)
        )
        if formatted is not None:
            self.formatted: bool = formatted
        else:
            inherited = getattr(obj, "formatted", None)
            self.formatted = True if inherited is None else inherited
        self.add_actions(actions or [], **kwargs)

    def __repr__(self) -> str:
        return f"<SubMapper {self.kwargs!r}>"

    def connect(self, routename: str | None, path: str | None = None, **kwargs: Any) -> Any:
        """Connect through the parent with this sub-mapper's options merged in."""
        newkargs: dict[str, Any] = {}
        _routename = routename
        _path = path
        for key, value in self.kwargs.items():
            if key == "path_prefix":
                _path = "".join((value, path)) if path is not None else "".join((value, routename or ""))
            elif key == "name_prefix":
                _routename = "".join((value, routename or "")) if path is not None else None
            elif key in kwargs:
                # Only prefixes concatenate; dicts merge; everything else overrides.
                newkargs[key] = dict(value, **kwargs[key]) if isinstance(value, dict) else kwargs[key]
            else:
                newkargs[key] = value
        for key in kwargs:
            if key not in self.kwargs:
                newkargs[key] = kwargs[key]
        return self.obj.connect(_routename, _path, **newkargs)

    def link(
        self,
        rel: str | None = None,
        name: str | None = None,
        action: str | None = None,
        method: Any = "GET",
        formatted: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """A named route ``/<rel>`` below this sub-mapper (``rel_resource`` by default)."""
        suffix = "{.format}" if formatted or (formatted is None and self.formatted) else ""
        if rel is None and name is None:  # Routes fails here (None + str); never a route at /None
            raise TypeError("SubMapper.link() needs rel or name")
        return self.connect(
            name or (str(rel) + "_" + str(self.resource_name)),
            "/" + str(rel or name) + suffix,
            action=action or rel or name,
            **_kwargs_with_conditions(kwargs, method),
        )

    def new(self, **kwargs: Any) -> Any:
        """The ``new`` link of a collection."""
        return self.link(rel="new", **kwargs)

    def edit(self, **kwargs: Any) -> Any:
        """The ``edit`` link of a member."""
        return self.link(rel="edit", **kwargs)

    def action(
        self,
        name: str | None = None,
        action: str | None = None,
        method: Any = "GET",
        formatted: bool | None = None,
        **kwargs: Any,
    ) -> Any:
        """A named route at this sub-mapper's own path."""
        suffix = "{.format}" if formatted or (formatted is None and self.formatted) else ""
        if action is None and name is None:  # Routes fails here (None + str); never an action None
            raise TypeError("SubMapper.action() needs action or name")
        return self.connect(
            name or (str(action) + "_" + str(self.resource_name)),
            suffix,
            action=action or name,
            **_kwargs_with_conditions(kwargs, method),
        )

    def index(self, name: str | None = None, **kwargs: Any) -> Any:
        """``GET`` collection → ``index``."""
        return self.action(name=name or self.collection_name, action="index", method="GET", **kwargs)

    def show(self, name: str | None = None, **kwargs: Any) -> Any:
        """``GET`` member → ``show``."""
        return self.action(name=name or self.resource_name, action="show", method="GET", **kwargs)

    def create(self, **kwargs: Any) -> Any:
        """``POST`` collection → ``create``."""
        return self.action(action="create", method="POST", **kwargs)

    def update(self, **kwargs: Any) -> Any:
        """``PUT`` member → ``update``."""
        return self.action(action="update", method="PUT", **kwargs)

    def delete(self, **kwargs: Any) -> Any:
        """``DELETE`` member → ``delete``."""
        return self.action(action="delete", method="DELETE", **kwargs)

    def add_actions(self, actions: list[str], **kwargs: Any) -> None:
        """Call the named action helpers (``index``, ``show``, ...) in order."""
        for action in actions:
            getattr(self, action)(**kwargs)

    def __enter__(self) -> SubMapper:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
