from __future__ import annotations

from typing import Any

SERVED: list[tuple[str, Any, dict[str, str]]] = []


def make_server(global_conf: dict[str, str], **conf: str) -> Any:
    def serve(app: Any) -> None:
        SERVED.append(("factory", app, conf))

    return serve


def run_server(app: Any, global_conf: dict[str, str], **conf: str) -> None:
    SERVED.append(("runner", app, conf))
