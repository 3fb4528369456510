"""Differential test: PasteDeploy 3.1 itself and asgipaste over the same INI corpus.

For every load, ``appconfig`` must give equal ``global_conf`` and ``local_conf``,
and every factory must be called with equal arguments, in the same order.
The corpus covers the features of reference §1 and the real-world shapes of
reference §5 (nova, keystone, glance, swift, pyramid, CKAN-style cross-file use).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import paste.deploy
import pytest
import recorder

import asgipaste

R = "egg:FakeASGIApp#recorded"
W = "egg:FakeASGIApp#recorded_wsgi"  # a wsgify-on-__call__ app
WF = "egg:FakeASGIApp#recorded_wsgi"  # (filter) a function filter returning a wsgify instance

# name -> (files, loads); a load is (kind, file, section name, caller global_conf)
Case = tuple[dict[str, str], list[tuple[str, str, str | None, dict[str, str] | None]]]

CORPUS: dict[str, Case] = {
    "defaults_and_here": (
        {"a.ini": f"""
            [DEFAULT]
            debug = true
            data = %(here)s/data
            [app:main]
            use = {R}
            db = sqlite:///%(data)s/db.sqlite
            debug = false
            """},
        [("app", "a.ini", None, None)],
    ),
    "set_and_get": (
        {"a.ini": f"""
            [DEFAULT]
            port = 8080
            [app:main]
            use = {R}
            set port = 9090
            set extra = 1
            get listen = port
            local = x
            """},
        [("app", "a.ini", "main", None)],
    ),
    "set_and_get_in_default": (
        {"a.ini": f"""
            [DEFAULT]
            port = 8080
            set shared = from-default
            get copied = port
            [app:main]
            use = {R}
            port = 9090
            pct = 100%%
            where = %(here)s/x
            get copied = port
            """},
        [("app", "a.ini", "main", None), ("app", "a.ini", "main", {"port": "7070"})],
    ),
    "use_section_chain": (
        {"a.ini": f"""
            [DEFAULT]
            level = 1
            [app:base]
            use = {R}
            set level = 2
            colour = blue
            size = 3
            [app:middle]
            use = base
            colour = green
            [app:top]
            use = middle
            set level = 4
            size = 9
            """},
        [("app", "a.ini", "top", None), ("app", "a.ini", "middle", None)],
    ),
    "caller_globals": (
        {"a.ini": f"""
            [DEFAULT]
            mode = file
            [app:main]
            use = {R}
            greeting = hi %(who)s
            mode = local
            who = ignored
            """},
        [("app", "a.ini", None, {"who": "you", "mode": "caller"})],
    ),
    "explicit_protocol_keys": (
        {"a.ini": """
            [app:main]
            paste.app_factory = recorder:app_factory
            key = value
            [filter:f]
            paste.filter_factory = recorder:filter_factory
            opt = 1
            [server:main]
            paste.server_factory = recorder:server_factory
            host = 0.0.0.0
            port = 80
            """},
        [("app", "a.ini", None, None), ("filter", "a.ini", "f", None), ("server", "a.ini", None, None)],
    ),
    "call_in_use": (
        {"a.ini": """
            [app:main]
            use = call:recorder:app_factory
            a = 1
            [composite:c]
            use = call:recorder:composite_factory
            /x = main
            [filter:f]
            use = call:recorder:filter_factory
            b = 2
            """},
        [("app", "a.ini", None, None), ("app", "a.ini", "c", None), ("filter", "a.ini", "f", None)],
    ),
    "pipeline_with_set": (
        {"a.ini": f"""
            [DEFAULT]
            shared = d
            [pipeline:main]
            pipeline = one two app
            set shared = from-pipeline
            [filter:one]
            use = egg:FakeASGIApp#recorded
            name = one
            [filter:two]
            use = egg:FakeASGIApp#recorded
            name = two
            set shared = from-two
            [app:app]
            use = {R}
            name = app
            """},
        [("app", "a.ini", None, None)],
    ),
    "same_filter_twice_swift": (
        {"proxy-server.conf": """
            [DEFAULT]
            bind_port = 8080
            workers = 2
            log_name = swift
            [pipeline:main]
            pipeline = catch_errors proxy-logging cache proxy-logging proxy-server
            [filter:catch_errors]
            use = egg:FakeASGIApp#recorded
            [filter:proxy-logging]
            use = egg:FakeASGIApp#recorded
            set log_name = proxy-logging
            access_log_facility = LOG_LOCAL1
            [filter:cache]
            use = egg:FakeASGIApp#recorded
            memcache_servers = 127.0.0.1:11211
            [app:proxy-server]
            use = egg:FakeASGIApp#recorded
            set log_name = proxy-server
            allow_account_management = true
            [proxy-server:policy:1]
            sorting_method = affinity
            """},
        [("app", "proxy-server.conf", None, None)],
    ),
    "filter_app_and_filter_with": (
        {"a.ini": f"""
            [app:inner]
            use = {R}
            example = test
            filter-with = outer
            [filter:outer]
            use = egg:FakeASGIApp#recorded
            level = outer
            filter-with = outermost
            [filter:outermost]
            use = egg:FakeASGIApp#recorded
            level = outermost
            [filter-app:fa]
            use = egg:FakeASGIApp#recorded_fa
            next = inner
            opt = x
            """},
        [("app", "a.ini", "inner", None), ("app", "a.ini", "fa", None)],
    ),
    "cross_file_ckan": (
        {
            "core/test-core.ini": f"""
                [DEFAULT]
                debug = false
                smtp = localhost
                [app:main]
                use = {R}
                ckan.site_url = http://test.ckan.net
                ckan.plugins = stats
                cache_dir = %(here)s/cache
                set shared = core
                """,
            "ext/test.ini": """
                [DEFAULT]
                debug = true
                [app:main]
                use = config:../core/test-core.ini
                ckan.plugins = stats myext
                set shared = ext
                """,
        },
        [("app", "ext/test.ini", None, None)],
    ),
    "nested_includes": (
        {
            "a/top.ini": """
                [app:main]
                use = config:../b/mid.ini#mid
                top = 1
                """,
            "b/mid.ini": """
                [DEFAULT]
                from_mid = m
                [app:mid]
                use = config:../c/leaf.ini
                mid = 2
                """,
            "c/leaf.ini": f"""
                [DEFAULT]
                from_leaf = l
                [app:main]
                use = {R}
                leaf = 3
                where = %(here)s
                """,
        },
        [("app", "a/top.ini", None, None)],
    ),
    "nova_pipelines": (
        {"api-paste.ini": """
            [composite:osapi_compute]
            use = egg:FakeASGIApp#recorded_map
            /: oscomputeversions
            /v2: openstack_compute_api_v2
            [composite:openstack_compute_api_v2]
            use = egg:FakeASGIApp#recorded_map
            pipeline.noauth = faultwrap sizelimit noauth ratelimit osapi_compute_app_v2
            keystone = faultwrap sizelimit authtoken keystonecontext ratelimit osapi_compute_app_v2
            [filter:faultwrap]
            paste.filter_factory = recorder:filter_factory
            [filter:sizelimit]
            paste.filter_factory = recorder:filter_factory
            max = 114688
            [filter:noauth]
            paste.filter_factory = recorder:filter_factory
            [filter:ratelimit]
            paste.filter_factory = recorder:filter_factory
            [app:osapi_compute_app_v2]
            paste.app_factory = recorder:app_factory
            [pipeline:oscomputeversions]
            pipeline = faultwrap oscomputeversionapp
            [app:oscomputeversionapp]
            paste.app_factory = recorder:app_factory
            """},
        [("app", "api-paste.ini", "osapi_compute", None)],
    ),
    "keystone_urlmap_shape": (
        {"keystone-paste.ini": """
            [filter:token_auth]
            paste.filter_factory = recorder:filter_factory
            [filter:json_body]
            paste.filter_factory = recorder:filter_factory
            [app:public_service]
            paste.app_factory = recorder:app_factory
            [app:admin_service]
            paste.app_factory = recorder:app_factory
            [pipeline:public_api]
            pipeline = token_auth json_body public_service
            [pipeline:admin_api]
            pipeline = token_auth json_body admin_service
            [composite:main]
            use = egg:FakeASGIApp#recorded_map
            /v2.0 = public_api
            /v3 = admin_api
            app.version = public_service
            """},
        [("app", "keystone-paste.ini", "main", {"admin_port": "35357"})],
    ),
    "glance_names": (
        {"glance-api-paste.ini": """
            [pipeline:glance-api]
            pipeline = versionnegotiation unauthenticated-context rootapp
            [pipeline:glance-api-keystone+caching]
            pipeline = versionnegotiation authtoken context cache rootapp
            [composite:rootapp]
            paste.composite_factory = recorder:composite_factory
            /: apiversions
            /v2: apiv2app
            [app:apiversions]
            paste.app_factory = recorder:app_factory
            [app:apiv2app]
            paste.app_factory = recorder:app_factory
            [filter:versionnegotiation]
            paste.filter_factory = recorder:filter_factory
            [filter:unauthenticated-context]
            paste.filter_factory = recorder:filter_factory
            [filter:authtoken]
            paste.filter_factory = recorder:filter_factory
            delay_auth_decision = true
            [filter:context]
            paste.filter_factory = recorder:filter_factory
            [filter:cache]
            paste.filter_factory = recorder:filter_factory
            """},
        [("app", "glance-api-paste.ini", "glance-api", None),
         ("app", "glance-api-paste.ini", "glance-api-keystone+caching", None)],
    ),
    "pyramid_development": (
        {"development.ini": f"""
            ###
            # app configuration
            ###
            [app:main]
            use = {R}
            pyramid.reload_templates = true
            pyramid.includes =
                pyramid_debugtoolbar
                pyramid_tm
            sqlalchemy.url = sqlite:///%(here)s/tutorial.sqlite
            retry.attempts = 3

            [pshell]
            setup = tutorial.pshell.setup

            [alembic]
            script_location = tutorial/alembic
            file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(rev)s

            [server:main]
            use = egg:FakeASGIApp#recorded
            listen = localhost:6543

            [loggers]
            keys = root, tutorial
            [handlers]
            keys = console
            [formatters]
            keys = generic
            [logger_root]
            level = INFO
            handlers = console
            [handler_console]
            class = StreamHandler
            args = (sys.stderr,)
            [formatter_generic]
            format = %(asctime)s %(levelname)-5.5s [%(name)s:%(lineno)s][%(threadName)s] %(message)s
            """},
        [("app", "development.ini", None, None), ("server", "development.ini", None, None)],
    ),
    "pylons_set_debug": (
        {"prod.ini": f"""
            [DEFAULT]
            debug = true
            email_to = you@example.com
            smtp_server = localhost
            [server:main]
            use = egg:FakeASGIApp#recorded_runner
            host = 0.0.0.0
            port = %(http_port)s
            [app:main]
            use = {R}
            full_stack = true
            cache_dir = %(here)s/data
            set debug = false
            """},
        [("app", "prod.ini", None, {"http_port": "5000"})],
    ),
    "colon_delimiters_and_comments": (
        {"a.ini": """
            [composite:metadata]
            use = egg:FakeASGIApp#recorded_map
            /: meta
            /healthcheck: health
            ; a comment line
            # another
            note = value # not a comment
            [app:meta]
            paste.app_factory = recorder:app_factory
            [app:health]
            paste.app_factory = recorder:app_factory
            detailed: false
            """},
        [("app", "a.ini", "metadata", None)],
    ),
    "aliases_app_application_composit": (
        {"a.ini": f"""
            [application:main]
            use = {R}
            [composit:legacy]
            use = egg:FakeASGIApp#recorded_map
            app.one = main
            [app:  padded  ]
            use = {R}
            padding = yes
            """},
        [("app", "a.ini", None, None), ("app", "a.ini", "legacy", None), ("app", "a.ini", "padded", None)],
    ),
    "percent_escapes_and_multiline": (
        {"a.ini": f"""
            [app:main]
            use = {R}
            pattern = 100%%
            block =
                first

                third
            trailing = spaces{"   "}
            """},
        [("app", "a.ini", None, None)],
    ),
    "default_empty_interpolation": (
        {"a.ini": f"""
            [DEFAULT]
            empty =
            ref = %(empty)s
            [app:main]
            use = {R}
            uses_ref = [%(ref)s]
            """},
        [("app", "a.ini", None, None)],
    ),
    "composite_global_forwarding": (
        {"a.ini": f"""
            [DEFAULT]
            region = eu
            [composite:main]
            use = egg:FakeASGIApp#recorded_map
            set region = us
            set only_here = 1
            /forwarded = child
            app.not_forwarded = child
            [app:child]
            use = {R}
            where = %(region)s
            """},
        [("app", "a.ini", None, None)],
    ),
    "filter_with_on_use": (
        {"a.ini": f"""
            [app:base]
            use = {R}
            filter-with = f
            a = 1
            [filter:f]
            use = egg:FakeASGIApp#recorded
            [app:main]
            use = base
            b = 2
            """},
        [("app", "a.ini", "base", None)],
    ),
    "require_and_here_in_use": (
        {"sub/a.ini": """
            [app:main]
            use = config:%(here)s/b.ini
            require = PasteDeploy
            x = 1
            """,
         "sub/b.ini": f"""
            [app:main]
            use = {R}
            y = 2
            """},
        [("app", "sub/a.ini", None, None)],
    ),
    # -- mixed trees (issue 11): each factory called once, in PasteDeploy's order --
    "mixed_urlmap": (
        {"a.ini": f"""
            [composite:main]
            use = egg:Paste#urlmap
            / = w1
            /a = w2
            /b = a1
            [app:w1]
            use = {W}
            n = 1
            [app:w2]
            use = {W}
            n = 2
            [app:a1]
            use = {R}
            n = 3
            """},
        [("app", "a.ini", None, None)],
    ),
    "all_wsgi_urlmap": (
        {"a.ini": f"""
            [composite:main]
            use = egg:Paste#urlmap
            / = w1
            /a = w2
            [app:w1]
            use = {W}
            [app:w2]
            use = {W}
            n = 2
            """},
        [("app", "a.ini", None, None)],
    ),
    "wsgi_pipeline_with_an_asgi_filter_inside": (
        {"a.ini": f"""
            [pipeline:main]
            pipeline = wf1 af wf2 app
            [filter:wf1]
            use = {WF}
            n = 1
            [filter:af]
            use = egg:FakeASGIApp#recorded
            [filter:wf2]
            use = {WF}
            n = 2
            [app:app]
            use = {W}
            """},
        [("app", "a.ini", None, None)],
    ),
    "nested_urlmaps": (
        {"a.ini": f"""
            [composite:main]
            use = egg:Paste#urlmap
            / = legacy
            /v2 = mixed
            [composite:legacy]
            use = egg:Paste#urlmap
            / = w1
            /x = w2
            [composite:mixed]
            use = egg:Paste#urlmap
            / = w3
            /y = a1
            [app:w1]
            use = {W}
            [app:w2]
            use = {W}
            n = 2
            [app:w3]
            use = {W}
            n = 3
            [app:a1]
            use = {R}
            """},
        [("app", "a.ini", None, None)],
    ),
    "legacy_composite_over_mixed_children": (
        {"a.ini": f"""
            [composite:main]
            use = egg:FakeASGIApp#recorded_legacy_map
            /a = w1
            /b = a1
            pipeline.x = wf af a2
            [app:w1]
            use = {W}
            [app:a1]
            use = {R}
            [app:a2]
            use = {R}
            n = 2
            [filter:wf]
            use = {WF}
            [filter:af]
            use = egg:FakeASGIApp#recorded
            """},
        [("app", "a.ini", None, None)],
    ),
}


def _write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _run(module: Any, kind: str, uri: str, name: str | None, global_conf: dict[str, str] | None) -> Any:
    recorder.CALLS.clear()
    loader = {"app": module.loadapp, "filter": module.loadfilter, "server": module.loadserver}[kind]
    loader(uri, name=name, global_conf=global_conf)
    calls = list(recorder.CALLS)
    conf = None
    if kind == "app":
        config = module.appconfig(uri, name=name, global_conf=global_conf)
        conf = (dict(config), dict(config.global_conf), dict(config.local_conf))
    return calls, conf


def test_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 20


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_same_configuration_and_factory_calls(case: str, tmp_path: Path) -> None:
    files, loads = CORPUS[case]
    _write(tmp_path, files)
    for kind, file, name, global_conf in loads:
        uri = f"config:{tmp_path / file}"
        theirs = _run(paste.deploy, kind, uri, name, global_conf)
        ours = _run(asgipaste, kind, uri, name, global_conf)
        assert theirs[0], "the factory was never called"
        assert ours == theirs, f"{case}: {kind} {name}"
