"""awaitlings.testing.nginx: a real nginx starts unprivileged on a free port in front of a backend, fills
only the placeholders it is given, drops its workers' privileges under root, explains a config nginx
refuses, stops (gracefully or not) and leaves no process or file behind."""

from __future__ import annotations

import http.server
import os
import threading

import httpx
import pytest

from awaitlings.testing import ExerciseProblem
from awaitlings.testing.nginx import Nginx, nginx_binary, render_template

pytestmark = pytest.mark.skipif(not nginx_binary(), reason="needs nginx (apt-get install nginx)")

SITE = """
map $http_upgrade $connection_upgrade { default upgrade; '' close; }
upstream app { server ${BACKEND}; }
server {
    listen 127.0.0.1:${PORT};
    location / {
        proxy_pass http://app;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header Connection $connection_upgrade;
    }
}
"""


class _Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        body = f"{self.path} xff={self.headers.get('X-Forwarded-For')}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def backend():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def test_render_fills_only_the_given_placeholders():
    text = render_template("listen ${PORT}; set $x $http_upgrade; proxy_pass http://${BACKEND};",
                           {"PORT": 81, "BACKEND": "127.0.0.1:9"})
    assert text == "listen 81; set $x $http_upgrade; proxy_pass http://127.0.0.1:9;"
    with pytest.raises(ExerciseProblem, match=r"\$\{NOPE\}"):
        render_template("proxy_pass ${NOPE};", {"PORT": 1})


def test_proxies_a_request_and_writes_everything_inside_its_prefix(backend):
    with Nginx(SITE, values={"BACKEND": backend}) as nginx:
        reply = httpx.get(nginx.url + "/hello", timeout=5)
        assert reply.status_code == 200
        assert reply.text == "/hello xff=127.0.0.1"
        assert "GET /hello" in nginx.access_log()
        assert (nginx.prefix / "nginx.pid").read_text().strip() == str(nginx.process.pid)
        prefix = nginx.prefix
    assert not prefix.exists()


def test_workers_drop_root_privileges_and_everything_stops(backend):
    with Nginx(SITE, values={"BACKEND": backend}, worker_processes=2) as nginx:
        workers = nginx.worker_pids()
        assert len(workers) == 2
        uids = {os.stat(f"/proc/{pid}").st_uid for pid in workers}
        if os.geteuid() == 0:
            assert 0 not in uids, "as root, nginx's workers must run as an unprivileged user"
            assert "user nobody" in nginx.conf.read_text()
        else:
            assert uids == {os.geteuid()}
        master = nginx.process.pid
        # The workers can use their temp folders (a large body is buffered to client_body_temp).
        assert httpx.post(nginx.url + "/upload", content=b"x" * 200_000, timeout=5).status_code in (405, 501)
    assert not any(_alive(pid) for pid in [master, *workers])


def test_a_graceful_stop_and_a_reload_keep_serving(backend):
    with Nginx(SITE, values={"BACKEND": backend}) as nginx:
        before = nginx.worker_pids()
        nginx.reload()
        assert set(nginx.worker_pids()).isdisjoint(before)
        assert httpx.get(nginx.url + "/again", timeout=5).status_code == 200
        nginx.stop(graceful=True)
        assert nginx.process.poll() is not None


def test_a_config_nginx_refuses_is_explained_in_its_own_words(backend):
    broken = SITE.replace("proxy_pass http://app;", "proxy_pass http://app")
    nginx = Nginx(broken, values={"BACKEND": backend})
    ok, said = nginx.test_config()
    assert not ok and "invalid number of arguments" in said
    with pytest.raises(ExerciseProblem) as problem:
        with nginx:
            pass
    assert "nginx did not start with your config" in str(problem.value)
    assert "your nginx config, line 8" in str(problem.value)
    assert nginx.process.poll() is not None
