"""TLS in server sections and per API in the launcher, with a certificate made in the test (trustme)."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from asgipaste import ConfigError, loadserver
from tests._proc import Proc, bin_path, free_port

trustme = pytest.importorskip("trustme", reason="trustme is a test dependency")

ASGIPASTE = bin_path("asgipaste")

APP = """
[app:main]
use = call:tests.serving.apps:text_app
text = over tls
"""


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path, ssl.SSLContext]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(str(certfile), append=True)
    cert.private_key_pem.write_to_path(str(keyfile))
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return certfile, keyfile, context


def _wait_https(url: str, context: ssl.SSLContext, proc: Proc) -> httpx.Response:
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise AssertionError(f"server exited:\n{proc.log()}")
        try:
            return httpx.get(url, verify=context, timeout=5)
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer:\n{proc.log()}")


TLS_OPTIONS = "port = {port}\nssl_certfile = {cert}\nssl_keyfile = {key}\n"
SECTIONS = {
    "uvicorn": "[server:main]\nuse = egg:asgipaste#uvicorn\n" + TLS_OPTIONS,
    "granian": "[server:main]\nuse = egg:asgipaste#granian\n" + TLS_OPTIONS,
}


@pytest.mark.slow
@pytest.mark.timeout(60)
@pytest.mark.parametrize("server", sorted(SECTIONS))
def test_server_sections_serve_https(
    spawn: Callable[..., Proc], tmp_path: Path, certificate: tuple[Path, Path, ssl.SSLContext], server: str
) -> None:
    if server == "granian":
        pytest.importorskip("granian", reason="granian is a test dependency")
    cert, key, context = certificate
    port = free_port()
    (tmp_path / "site.ini").write_text(SECTIONS[server].format(port=port, cert=cert, key=key) + APP)
    proc = spawn([ASGIPASTE, "serve", "site.ini"])
    response = _wait_https(f"https://127.0.0.1:{port}/", context, proc)
    assert response.text == "over tls"
    assert "https://" in proc.log()


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_launcher_tls_per_api_and_nova_options(
    spawn: Callable[..., Proc], tmp_path: Path, certificate: tuple[Path, Path, ssl.SSLContext]
) -> None:
    cert, key, context = certificate
    secure, plain, nova = free_port(), free_port(), free_port()
    (tmp_path / "api-paste.ini").write_text(
        "[DEFAULT]\nenabled_apis = secure, plain, nova\nenabled_ssl_apis = nova\n"
        f"ssl_cert_file = {cert}\nssl_key_file = {key}\n"
        f"secure_listen = 127.0.0.1\nsecure_listen_port = {secure}\nsecure_workers = 1\n"
        f"secure_ssl_certfile = {cert}\nsecure_ssl_keyfile = {key}\n"
        f"plain_listen = 127.0.0.1\nplain_listen_port = {plain}\nplain_workers = 1\n"
        f"nova_listen = 127.0.0.1\nnova_listen_port = {nova}\nnova_workers = 1\n"
        "[app:secure]\nuse = call:tests.serving.apps:text_app\ntext = secure\n"
        "[app:plain]\nuse = call:tests.serving.apps:text_app\ntext = plain\n"
        "[app:nova]\nuse = call:tests.serving.apps:text_app\ntext = nova\n"
    )
    proc = spawn([ASGIPASTE, "launch", "api-paste.ini"])
    assert _wait_https(f"https://127.0.0.1:{secure}/", context, proc).text == "secure"
    assert _wait_https(f"https://127.0.0.1:{nova}/", context, proc).text == "nova"
    import time

    deadline = time.monotonic() + 20
    while True:
        try:
            assert httpx.get(f"http://127.0.0.1:{plain}/", timeout=5).text == "plain"
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, proc.log()
            time.sleep(0.05)


@pytest.mark.parametrize(
    ("options", "key"),
    [("use = egg:asgipaste#uvicorn\nssl_certfile = /x.pem\n", "ssl_keyfile"),
     ("use = egg:asgipaste#granian\nssl_keyfile = /x.pem\n", "ssl_cert")],
)
def test_half_a_tls_configuration_is_a_located_error(tmp_path: Path, options: str, key: str) -> None:
    if "granian" in options:
        pytest.importorskip("granian")
    (tmp_path / "s.ini").write_text("[server:main]\n" + options)
    with pytest.raises(ConfigError) as info:
        loadserver(f"config:{tmp_path / 's.ini'}")
    assert info.value.key == key and info.value.section == "server:main"
