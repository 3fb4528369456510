"""The ``asgipaste`` command: ``serve``, ``check``, ``graph`` and ``launch`` an INI file.

.. code-block:: console

    $ asgipaste serve development.ini http_port=8080 --reload
    $ asgipaste serve api-paste.ini --app osapi_compute=127.0.0.1:8774 --app metadata=127.0.0.1:8775
    $ asgipaste check api-paste.ini
    $ asgipaste graph api-paste.ini#osapi_compute --format mermaid
    $ asgipaste launch api-paste.ini osapi_compute_workers=4
    $ asgipaste export api-paste.ini#osapi_compute -o nova_api.py

``var=value`` pairs reach the file as ``global_conf`` (``%(var)s``) and the
logging sections' defaults, as with ``pserve``.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from asgipaste._logging import configure_from_ini, ensure_handler
from asgipaste.errors import ConfigError, ConfigLookupError, ConfigValueError
from asgipaste.loader.dialect import read_ini
from asgipaste.loader.references import APP
from asgipaste.servers import Listen, Server, ServeTarget, parse_listen

__all__ = ["main"]

_LOG_LEVELS = ["critical", "error", "warning", "info", "debug", "trace"]


def _vars(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigValueError(f"Bad argument {pair!r}", hint="variables are given as name=value")
        out[key.strip()] = value
    return out


def _target(args: argparse.Namespace) -> ServeTarget:
    target = ServeTarget.parse(args.config, global_conf=_vars(args.vars))
    if not target.path.is_file():
        raise ConfigLookupError(f"Config file {target.path} not found", file=str(target.path))
    return target


def _server_sections(path: Path) -> list[str]:
    try:
        ini = read_ini(str(path))
    except ConfigError:
        return []  # the loader reports parse errors with their line
    names = []
    for section in ini.sections():
        match = re.fullmatch(r"\s*server\s*:\s*(.+?)\s*", section)
        if match:
            names.append(match.group(1))
    return names


def _require_app(target: ServeTarget) -> None:
    """Refuse an app name the file does not define before anything starts, listing the ones it does."""
    try:
        ini = read_ini(str(target.path))
    except ConfigError:
        return  # loading reports it, located
    apps = ini.names_with_prefixes(APP.prefixes())
    if target.name not in apps:
        raise ConfigLookupError(
            f"No app section named {target.name!r} (no [app:{target.name}], [composite:{target.name}] "
            f"or [pipeline:{target.name}])",
            file=str(target.path),
            hint=f"apps in the file: {', '.join(apps) or 'none'}; choose one with CONFIG#name or -n NAME",
        )


def _setup_logging(target: ServeTarget, level: str | None) -> bool:
    """pserve's rule: the INI's ``[loggers]`` configure logging when present."""
    if configure_from_ini(target.path, target.global_conf):
        return True
    ensure_handler(logging.DEBUG if level in ("debug", "trace") else logging.INFO)
    return False


def _load_server(target: ServeTarget, name: str | None) -> Any:
    from asgipaste import loadserver
    from asgipaste.servers.uvicorn import UvicornServer

    available = _server_sections(target.path)
    if name is None:
        if "main" not in available:
            return UvicornServer()
        name = "main"
    elif name not in available:
        listed = ", ".join(f"[server:{item}]" for item in available) or "none"
        raise ConfigLookupError(
            f"No [server:{name}] section",
            file=str(target.path),
            hint=f"server sections in the file: {listed}",
        )
    return loadserver(target.uri, name=name, global_conf=dict(target.global_conf))


def _parse_apps(items: Sequence[str]) -> list[tuple[str, Listen | None]]:
    apps: list[tuple[str, Listen | None]] = []
    for item in items:
        name, sep, address = item.partition("=")
        if not name.strip():
            raise ConfigValueError(f"Bad --app {item!r}", hint="write --app NAME or --app NAME=HOST:PORT")
        listen = parse_listen(address, key="--app")[0] if sep else None
        apps.append((name.strip(), listen))
    return apps


def cmd_serve(args: argparse.Namespace) -> int:
    target = _target(args)
    ini_logging = _setup_logging(target, args.log_level)
    apps = _parse_apps(args.app or [])
    if len(apps) > 1:
        return _serve_several(args, target, apps, ini_logging)
    host, port = args.host, args.port
    if apps:
        name, listen = apps[0]
        target = replace(target, name=name)
        if listen is not None:
            host, port = listen.host, listen.port
    _require_app(target)
    server = _load_server(target, args.server)
    overrides = {"host": host, "port": port, "workers": args.workers, "log_level": args.log_level}
    overrides["reload"] = True if args.reload else None
    given = {key: value for key, value in overrides.items() if value is not None}
    if isinstance(server, Server):
        server.configure(**given, ini_logging=ini_logging)
        servable: Any = target  # ours load it themselves (again in each worker)
    elif given:
        flags = ", ".join(f"--{key.replace('_', '-')}" for key in given)
        raise ConfigValueError(
            f"The server {server!r} takes no {flags}", hint="set them in its [server:] section"
        )
    else:
        servable = target.load().asgi  # a third-party server: PasteDeploy's server(app)
    try:
        server(servable)
    except KeyboardInterrupt:
        pass
    return 0


def _serve_several(
    args: argparse.Namespace, target: ServeTarget, apps: list[tuple[str, Listen | None]], ini_logging: bool
) -> int:
    from asgipaste.launcher import Launcher
    from asgipaste.launcher.plan import ApiSpec, LaunchPlan

    if args.reload or args.server:
        raise ConfigValueError("--reload and --server serve one app; several --app run under the launcher")
    missing = [name for name, listen in apps if listen is None]
    if missing:
        raise ConfigValueError(
            f"--app {missing[0]} needs an address when several apps are served",
            hint=f"write --app {missing[0]}=127.0.0.1:PORT",
        )
    workers = args.workers or 1
    specs = tuple(ApiSpec(name=name, listen=listen, workers=workers) for name, listen in apps if listen)

    def plan() -> LaunchPlan:
        return LaunchPlan(
            path=target.path,
            apis=specs,
            global_conf=dict(target.global_conf),
            log_level=args.log_level,
            ini_logging=ini_logging,
        )

    return Launcher(plan).run()


def cmd_check(args: argparse.Namespace) -> int:
    """Exit 0 when clean or with warnings only, 1 with problems (``--strict``: warnings too), 2 for usage."""
    from asgipaste.loader.check import check_file

    target = _target(args)
    names = [target.name] if "#" in args.config else None
    report = check_file(str(target.path), names=names, global_conf=dict(target.global_conf) or None)
    for problem in report.errors:
        print(shown_paths(f"error: {problem}"))
    for warning in report.warnings:
        kind = "error" if args.strict else "warning"
        note = "" if not isinstance(warning, ConfigError) else "\n  (no entry point of this file reaches it)"
        print(shown_paths(f"{kind}: {warning}{note}"))
    what = f"[{target.name}]" if names else "every section"
    if args.strict and report.warnings:  # counted as they were printed
        failed = len(report.errors) + len(report.warnings)
        counts = f"{failed} error(s) ({len(report.warnings)} of them warnings, failing under --strict)"
    else:
        counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    code = report.exit_code(strict=args.strict)
    if code:
        print(shown_paths(f"{counts} in {target.path}"))
    else:
        warned = f" ({len(report.warnings)} warning(s))" if report.warnings else ""
        print(shown_paths(f"OK: {target.path}: {what} loads{warned}"))
    return code


def shown_paths(text: str) -> str:
    """``text`` with paths below the working directory shown relative to it, as ruff and mypy show them.

    The loader names files absolutely (``%(here)s`` needs that); a person reads
    the path they typed.

    >>> shown_paths(f"error in {os.getcwd()}{os.sep}api-paste.ini, line 3")
    'error in api-paste.ini, line 3'
    """
    return text.replace(os.getcwd() + os.sep, "")


def _granian_interface(target: ServeTarget) -> str:
    """The ``interface`` of the granian ``[server:main]`` that ``asgipaste serve`` would use, else ``auto``."""
    from asgipaste.servers.granian import GranianServer  # granian itself is imported only to serve

    if "main" not in _server_sections(target.path):
        return "auto"
    try:
        server = _load_server(target, None)
    except ConfigError:
        return "auto"  # `asgipaste check` reports a bad server section
    return server.interface if isinstance(server, GranianServer) else "auto"


def cmd_graph(args: argparse.Namespace) -> int:
    from asgipaste.graph import (
        annotate_mounts,
        render_dot,
        render_mermaid,
        render_text,
        serving_summary,
        wsgi_form_graph,
    )

    target = _target(args)
    try:
        stack = target.load()
    except ConfigError as exc:
        return _graph_outline(args, target, exc)
    interface = _granian_interface(target)
    # granian's WSGI interface is given the tree's WSGI form: draw that, not the ASGI one
    drawn = wsgi_form_graph(stack.graph) if interface == "wsgi" and stack.wsgi is None else stack.graph
    summary = serving_summary(stack, granian_interface=interface, tree=drawn)
    tree = annotate_mounts(drawn)
    if args.format == "mermaid":
        print(render_mermaid(tree))
        print("\n".join(f"%% {line}" for line in summary))
    elif args.format == "dot":
        print(render_dot(tree))
        print("\n".join(f"// {line}" for line in summary))
    else:
        print(render_text(tree, locations=args.locations))
        print()
        print("\n".join(summary))
    return 0


def _graph_outline(args: argparse.Namespace, target: ServeTarget, error: ConfigError) -> int:
    """The stack does not load (a service not installed here): say why, then draw the file's structure."""
    from asgipaste.graph import render_dot, render_mermaid, render_text
    from asgipaste.loader.outline import outline

    try:
        tree = outline(read_ini(str(target.path)), target.name)
    except ConfigError:
        raise error from None  # the file itself does not parse: the load's message says where
    print(shown_paths(f"asgipaste: {error}"), file=sys.stderr)
    note = "not loaded: the structure read from the file, nothing imported; [?]: protocol unknown"
    if args.format == "mermaid":
        print(render_mermaid(tree))
        print(f"%% {note}")
    elif args.format == "dot":
        print(render_dot(tree))
        print(f"// {note}")
    else:
        print(shown_paths(render_text(tree, locations=args.locations)))
        print()
        print(note)
    return 1


def cmd_launch(args: argparse.Namespace) -> int:
    from asgipaste.launcher import Launcher
    from asgipaste.launcher.plan import read_launch_plan

    if "#" in args.config:
        raise ConfigValueError(
            f"launch serves the apps enabled_apis names, not {args.config!r}",
            hint="drop #name, or serve one app with `asgipaste serve CONFIG#name`",
        )
    target = _target(args)
    ini_logging = _setup_logging(target, args.log_level)
    overrides = dict(target.global_conf)
    read_launch_plan(target.path, overrides)  # fail fast on bad options, before anything starts

    def plan() -> Any:
        return read_launch_plan(target.path, overrides, log_level=args.log_level, ini_logging=ini_logging)

    return Launcher(plan).run()


def cmd_export(args: argparse.Namespace) -> int:
    from asgipaste.export import export_source, write_module

    target = _target(args)
    _require_app(target)
    global_conf = dict(target.global_conf) or None
    if args.output in (None, "-"):
        sys.stdout.write(export_source(str(target.path), target.name, global_conf))
    else:
        write_module(str(target.path), args.output, target.name, global_conf)
    return 0


def _parser() -> argparse.ArgumentParser:
    from asgipaste import __version__

    parser = argparse.ArgumentParser(
        prog="asgipaste", description="Serve Paste Deployment INI files on ASGI."
    )
    parser.add_argument("--version", action="version", version=f"asgipaste {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, *, fragment: bool = True) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if fragment:
            sub.add_argument(
                "config", metavar="CONFIG[#name]", help="INI file, optionally #app-name (default main)"
            )
        else:  # the launcher refuses a #fragment: enabled_apis names the apps
            sub.add_argument("config", metavar="CONFIG", help="INI file (no #name: enabled_apis names the apps)")
        sub.add_argument("vars", nargs="*", metavar="var=value", help="global_conf values for %%(var)s")
        return sub

    serve = command("serve", "Serve one app (or several with --app) of an INI file, like pserve.")
    serve.add_argument(
        "--app",
        "-n",
        "--app-name",
        action="append",
        metavar="NAME[=HOST:PORT]",
        help="app section to serve (pserve's -n/--app-name); repeat with HOST:PORT to serve several apps, "
        "each on its own port",
    )
    serve.add_argument(
        "--server",
        "-s",
        "--server-name",
        metavar="NAME",
        help="[server:NAME] section to use (pserve's -s/--server-name; default main if present)",
    )
    serve.add_argument("--host", help="bind address (overrides the server section)")
    serve.add_argument("--port", type=int, help="port (overrides the server section)")
    serve.add_argument("--workers", type=int, help="worker processes")
    serve.add_argument("--reload", action="store_true", help="restart on code and INI changes (development)")
    serve.add_argument("--log-level", choices=_LOG_LEVELS)
    serve.set_defaults(func=cmd_serve)

    check = command(
        "check",
        "Load every section without serving; print every problem once with file, section, key and line. "
        "Exit 0 when clean or with warnings only, 1 with problems, 2 for usage.",
    )
    check.add_argument(
        "--strict", action="store_true", help="warnings (problems no entry point reaches, ignored options) fail too"
    )
    check.set_defaults(func=cmd_check)

    graph = command("graph", "Print the composed stack, each layer marked ASGI or WSGI.")
    graph.add_argument("--format", choices=["text", "mermaid", "dot"], default="text")
    graph.add_argument("--locations", action="store_true", help="show file:line of each section (text)")
    graph.set_defaults(func=cmd_graph)

    export = command("export", "Write the app section down as a Python module that builds the same stack.")
    export.add_argument("-o", "--output", metavar="FILE.py", help="where to write the module (default: stdout)")
    export.set_defaults(func=cmd_export)

    launch = command(
        "launch",
        "Serve enabled_apis, each on <api>_listen:<api>_listen_port with <api>_workers.",
        fragment=False,
    )
    launch.add_argument("--log-level", choices=_LOG_LEVELS)
    launch.set_defaults(func=cmd_launch)
    return parser


def _working_directory_importable() -> None:
    """Modules beside the INI (in the working directory) are found, after every installed package.

    See :mod:`asgipaste._imports`; worker processes install the same finder
    from ``ASGIPASTE_IMPORT_DIR``.
    """
    from asgipaste._imports import ENV_IMPORT_DIR, install

    cwd = os.getcwd()
    install(cwd)
    os.environ[ENV_IMPORT_DIR] = cwd


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout replaced (tests) or already closed
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``asgipaste`` command; returns the exit code.

    >>> main(["check", "/nonexistent.ini"])  # doctest: +SKIP
    1
    """
    args = _parser().parse_args(argv)
    _working_directory_importable()
    if getattr(args, "workers", None) is not None and args.workers < 1:
        print(f"asgipaste: --workers {args.workers}: must be at least 1", file=sys.stderr)
        return 2
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
    except BrokenPipeError:  # `asgipaste graph FILE | head -1`: the reader left; stop quietly
        _silence_stdout()
        return 1
    except ConfigError as exc:
        print(shown_paths(f"asgipaste: {exc}"), file=sys.stderr)
        return 1
    except OSError as exc:  # a port in use, a missing file
        print(shown_paths(f"asgipaste: {exc}"), file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
