"""A seeded corpus of route tables and requests, replayed on Routes and on asgipaste.routes.

A table is a *recipe*: mapper settings plus a list of calls (``connect``,
``resource``, ``submapper``/``collection`` then calls on them). The same
recipe builds a ``routes.Mapper`` and an ``asgipaste.routes.Mapper`` so the
two can be compared request by request.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

LITERALS = ["a", "b", "users", "posts", "v1", "api", "x.y", "new", "edit", "detail"]
VALUES = ["1", "42", "abc", "a.b", "1.json", "%E2%98%83", "a/b", "x-y", "0", "7.xml", "1.", "A"]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
HOSTS = ["example.com", "www.example.com", "api.example.com", "example.com:8080", "sub.api.example.com"]


def cond_even(environ: Any, match: dict[str, Any]) -> bool:
    """A function condition: deterministic, reads the match."""
    return len(str(match.get("id") or "")) % 2 == 0


def cond_not_abc(environ: Any, match: dict[str, Any]) -> bool:
    return "abc" not in str(match.values())


@dataclass
class Table:
    seed: int
    settings: dict[str, Any] = field(default_factory=dict)
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    names: list[tuple[str, list[str]]] = field(default_factory=list)
    gen_targets: list[tuple[str, str, list[str]]] = field(default_factory=list)


def _template(rng: random.Random) -> tuple[str, list[str]]:
    parts: list[str] = []
    names: list[str] = []
    n = rng.randint(0, 4)
    for i in range(n):
        kind = rng.random()
        counter = i + 1
        if kind < 0.45:
            parts.append(rng.choice(LITERALS))
        elif kind < 0.6:
            parts.append(f"{{v{counter}}}")
            names.append(f"v{counter}")
        elif kind < 0.68:
            parts.append(f"{{v{counter}:\\d+}}")
            names.append(f"v{counter}")
        elif kind < 0.74:
            parts.append(f":v{counter}")
            names.append(f"v{counter}")
        elif kind < 0.8:
            parts.append(f"{{v{counter}}}-{{w{counter}}}")
            names += [f"v{counter}", f"w{counter}"]
        elif kind < 0.86:
            parts.append(f"{{v{counter}}}.html")
            names.append(f"v{counter}")
        elif kind < 0.92:
            parts.append("{id}")
            if "id" in names:
                parts[-1] = "idx"
            else:
                names.append("id")
        elif i == n - 1:
            parts.append(f"*rest{counter}")
            names.append(f"rest{counter}")
        else:
            parts.append(f"{{s{counter}:[a-z]+}}")
            names.append(f"s{counter}")
    path = "/" + "/".join(parts)
    tail = rng.random()
    if parts and parts[-1][0] in ":*":
        tail = 1.0  # an old-style variable runs on until "/", ".", ",", ";", "#" or "-"
    if tail < 0.2 and not path.endswith("/") and "*" not in path:
        path += "{.format}"
        names.append("format")
    elif tail < 0.27 and "*" not in path:
        path += ".:(format)" if not path.endswith("/") else ":(format)"
        names.append("format")
    elif tail < 0.32:
        path += "/"
    return path, names


def _conditions(rng: random.Random, sub_domains: bool) -> dict[str, Any] | None:
    r = rng.random()
    if r < 0.35:
        return None
    cond: dict[str, Any] = {}
    if r < 0.9:
        cond["method"] = rng.sample(["GET", "POST", "PUT", "DELETE"], rng.randint(1, 2))
    if rng.random() < 0.15:
        cond["function"] = rng.choice([cond_even, cond_not_abc])
    if sub_domains and rng.random() < 0.4:
        cond["sub_domain"] = rng.choice([True, False, ["www"], ["api", "www"]])
    return cond


def make_table(seed: int) -> Table:
    rng = random.Random(seed)
    table = Table(seed)
    table.settings = {
        "explicit": rng.random() < 0.8,
        "minimization": rng.random() < 0.12,
        "sub_domains": rng.random() < 0.2,
        "append_slash": rng.random() < 0.1,
    }
    sub_domains = table.settings["sub_domains"]
    for _ in range(rng.randint(3, 12)):
        kind = rng.random()
        if kind < 0.5:
            path, names = _template(rng)
            kwargs: dict[str, Any] = {
                "controller": rng.choice(["pages", "users", "admin"]),
                "action": rng.choice(["index", "show", "view"]),
            }
            for var in names:
                if rng.random() < 0.15:
                    kwargs[var] = rng.choice(["0", "def", None])
            reqs = {v: r"\d+" for v in names if v.startswith("v") and rng.random() < 0.2}
            if reqs:
                kwargs["requirements"] = reqs
            cond = _conditions(rng, sub_domains)
            if cond is not None:
                kwargs["conditions"] = cond
            name = f"r{len(table.calls)}" if rng.random() < 0.6 else None
            args = (name, path) if name else (path,)
            table.calls.append(("connect", args, kwargs))
            table.templates.append(path)
            if name:
                table.names.append((name, names))
            table.gen_targets.append((kwargs["controller"], kwargs["action"], names))
        elif kind < 0.85:
            member, coll = rng.choice([("message", "messages"), ("server", "servers"), ("user", "users")])
            opts: dict[str, Any] = {}
            if rng.random() < 0.4:
                opts["collection"] = {"detail": "GET", **({"search": "POST"} if rng.random() < 0.3 else {})}
            if rng.random() < 0.4:
                opts["member"] = {"action": "POST", **({"mark": "PUT"} if rng.random() < 0.3 else {})}
            if rng.random() < 0.2:
                opts["new"] = {"preview": "POST"}
            r = rng.random()
            if r < 0.2:
                opts["parent_resource"] = {"member_name": "project", "collection_name": "projects"}
            elif r < 0.4:
                opts["path_prefix"] = rng.choice(["/{project_id}", "/v2/{project_id}", "/api/", ":tenant"])
                opts["name_prefix"] = "p_"
            if rng.random() < 0.2:
                opts["controller"] = "ctl"
            if rng.random() < 0.15:
                opts["requirements"] = {"project_id": r"\d+"}
            table.calls.append(("resource", (member, coll), opts))
            prefix = ""
            if "parent_resource" in opts:
                prefix = "/projects/{project_id}"
            elif "path_prefix" in opts:
                prefix = "/" + opts["path_prefix"].strip("/")
            base = f"{prefix}/{coll}"
            table.templates += [
                base,
                base + "/new",
                base + "/{id}",
                base + "/{id}/edit",
                base + "/detail",
                base + "/{id}/action",
                base + "/new/preview",
                base + ".{format}",
                base + "/{id}.{format}",
            ]
            pfx = "project_" if "parent_resource" in opts else opts.get("name_prefix", "")
            extra = ["project_id"] if "project_id" in prefix else []
            extra += ["tenant"] if ":tenant" in prefix else []
            table.names += [
                (pfx + coll, extra),
                (pfx + member, [*extra, "id"]),
                (pfx + "new_" + member, extra),
                (pfx + "edit_" + member, [*extra, "id"]),
                ("formatted_" + pfx + member, [*extra, "id", "format"]),
                (pfx + "detail_" + coll, extra),
                (pfx + "action_" + member, [*extra, "id"]),
            ]
            ctl = opts.get("controller", coll)
            for act in ["index", "show", "create", "update", "delete", "edit", "new", "detail", "action"]:
                table.gen_targets.append((ctl, act, [*extra, "id"]))
        else:
            kind2 = rng.random()
            if kind2 < 0.5:
                table.calls.append(("collection", ("entries", "entry"), {}))
                table.calls.append(("member_link", ("ping",), {"method": "POST"}))
                table.templates += [
                    "/entries",
                    "/entries/{id}",
                    "/entries/{id}/ping",
                    "/entries/new",
                    "/entries/{id}/edit",
                ]
                table.names += [
                    ("entries", []),
                    ("entry", ["id"]),
                    ("ping_entry", ["id"]),
                    ("new_entry", []),
                    ("edit_entry", ["id"]),
                ]
                for act in ["index", "show", "ping", "new", "edit", "update", "delete", "create"]:
                    table.gen_targets.append(("entry", act, ["id"]))
            else:
                prefix = rng.choice(["/admin", "/{lang}/admin"])
                table.calls.append(
                    ("submapper", (), {"path_prefix": prefix, "controller": "admin", "name_prefix": "adm_"})
                )
                table.calls.append(("sub_connect", ("home", "/home"), {"action": "home"}))
                table.calls.append(
                    (
                        "sub_connect",
                        ("item", "/items/{id}"),
                        {"action": "item", "requirements": {"id": r"\d+"}},
                    )
                )
                table.templates += [prefix + "/home", prefix + "/items/{id}"]
                extra = ["lang"] if "lang" in prefix else []
                table.names += [("adm_home", extra), ("adm_item", [*extra, "id"])]
                table.gen_targets += [("admin", "home", extra), ("admin", "item", [*extra, "id"])]
    return table


def build(table: Table, mapper_cls: Any) -> Any:
    mapper = mapper_cls(explicit=table.settings["explicit"])
    mapper.minimization = table.settings["minimization"]
    mapper.sub_domains = table.settings["sub_domains"]
    mapper.append_slash = table.settings["append_slash"]
    last: Any = None
    for op, args, kwargs in table.calls:
        # Routes mutates dicts it is given (requirements, member...): give each side its own copy.
        kw = _copy(kwargs)
        if op == "connect":
            mapper.connect(*args, **kw)
        elif op == "resource":
            mapper.resource(*args, **kw)
        elif op == "collection":
            last = mapper.collection(*args, **kw)
        elif op == "member_link":
            last.member.link(*args, **kw)
        elif op == "submapper":
            last = mapper.submapper(**kw)
        elif op == "sub_connect":
            last.connect(*args, **kw)
    return mapper


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def fill(template: str, rng: random.Random) -> str:
    """A concrete path from a template: variables replaced by sample values."""
    out = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch == "{":
            j = template.index("}", i)
            inner = template[i + 1 : j]
            value = rng.choice(VALUES)
            out.append(
                ("." + value)
                if inner.startswith(".") and rng.random() < 0.7
                else ("" if inner.startswith(".") else value)
            )
            i = j + 1
        elif ch in ":*" and i + 1 < len(template) and (template[i + 1].isalpha() or template[i + 1] == "("):
            j = i + 1
            if template[j] == "(":
                j = template.index(")", j) + 1
            else:
                while j < len(template) and (template[j].isalnum() or template[j] == "_"):
                    j += 1
            out.append(rng.choice(VALUES))
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def paths_for(table: Table, rng: random.Random, count: int) -> list[str]:
    paths: list[str] = []
    for _ in range(count):
        r = rng.random()
        if table.templates and r < 0.75:
            path = fill(rng.choice(table.templates), rng)
            m = rng.random()
            if m < 0.1:
                path += "/"
            elif m < 0.15:
                path = path.rstrip("/") + "/" + rng.choice(LITERALS)
            elif m < 0.2:
                path += rng.choice([".json", ".xml", ".", "\n"])
            elif m < 0.23:
                path = path.rsplit("/", 1)[0] or "/"
        else:
            path = "/" + "/".join(rng.choice(LITERALS + VALUES) for _ in range(rng.randint(0, 4)))
        paths.append(path)
    return paths
