"""A real nginx (the OS package, `/usr/sbin/nginx`) for lesson tests: an unprivileged foreground process
on a free loopback port, with everything it writes (pid, temp files, logs) inside a private prefix.

    with Nginx(site_text, values={"GUNICORN": "127.0.0.1:8001"}) as nginx:
        httpx.get(nginx.url + "/healthz")

`site_text` is what goes inside `http { }` (the lesson's `map`, `upstream` and `server` blocks), with
`${NAME}` placeholders. Only the names given in `values` (plus `PORT`, the port nginx listens on) are
replaced, exactly like the official Docker image's envsubst step for `/etc/nginx/templates/*.template`:
nginx's own variables (`$http_upgrade`, `$remote_addr`) are left alone. The main file around it (events,
temp paths, pid, logs) belongs to the harness, so a lesson's config is the same text compose ships.

nginx runs as `nginx -p <prefix> -c <conf> -e stderr -g "daemon off; pid ...;"`: no daemon, no pid file in
/run, no log in /var/log. As root (a container, CI), the workers drop privileges to `nobody` (the `user`
directive), which is what a real deployment does; as an ordinary user there is nothing to drop."""

from __future__ import annotations

import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from . import fail, free_port, log_file, wait_for_port
from .redis_server import child_setup

__all__ = ["Nginx", "nginx_binary", "render_template"]

_PLACEHOLDER = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


def nginx_binary() -> str | None:
    return os.environ.get("AWAITLINGS_NGINX") or shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def render_template(text: str, values: dict[str, object]) -> str:
    """Replace `${NAME}` for the given names only (envsubst with a list of variables). Unknown `${NAME}`s
    are an error: a placeholder nobody fills would reach nginx as an unknown variable."""

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(name)
        return str(values[name])

    try:
        return _PLACEHOLDER.sub(substitute, text)
    except KeyError as error:
        known = ", ".join("${" + name + "}" for name in sorted(values))
        fail(f"The nginx template uses ${{{error.args[0]}}}, which nothing fills in (the placeholders are {known}).")
        raise AssertionError("unreachable") from None


def _unprivileged_user() -> str:
    """`user nobody nogroup;` (Debian) or `user nobody nobody;`: the account the workers run as under root."""
    entry = pwd.getpwnam("nobody")
    try:
        group = grp.getgrgid(entry.pw_gid).gr_name
    except KeyError:
        group = "nogroup"
    return f"{entry.pw_name} {group}"


def main_config(site_conf: Path, prefix: Path, *, worker_processes: int = 1) -> str:
    user = f"user {_unprivileged_user()};\n" if os.geteuid() == 0 else ""
    temp = prefix / "temp"
    return (
        f"# Written by awaitlings.testing.nginx: the main file around the lesson's site config.\n"
        f"{user}worker_processes {worker_processes};\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n"
        f"    access_log {prefix / 'logs' / 'access.log'};\n"
        f"    client_body_temp_path {temp / 'client_body'};\n"
        f"    proxy_temp_path {temp / 'proxy'};\n"
        f"    fastcgi_temp_path {temp / 'fastcgi'};\n"
        f"    uwsgi_temp_path {temp / 'uwsgi'};\n"
        f"    scgi_temp_path {temp / 'scgi'};\n"
        f"    include {site_conf};\n"
        f"}}\n"
    )


class Nginx:
    """`with Nginx(site_text, values={...}) as nginx:` — `nginx.url`, `nginx.port`, `nginx.output()`,
    `nginx.access_log()`, `nginx.worker_pids()`, `nginx.reload()`, `nginx.stop()`."""

    def __init__(self, site: str, *, values: dict[str, object] | None = None, port: int | None = None,
                 prefix: Path | None = None, worker_processes: int = 1, ready_timeout: float = 10.0) -> None:
        self.binary = nginx_binary()
        self.port = port or free_port()
        self.values = {"PORT": self.port, **(values or {})}
        self._own_prefix = prefix is None
        self.prefix = Path(prefix or tempfile.mkdtemp(prefix="awaitlings-nginx-"))
        self.site_text = render_template(site, self.values)
        self.worker_processes = worker_processes
        self.ready_timeout = ready_timeout
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def conf(self) -> Path:
        return self.prefix / "conf" / "nginx.conf"

    @property
    def site_conf(self) -> Path:
        return self.prefix / "conf" / "site.conf"

    def write(self) -> None:
        for sub in ("conf", "logs", "temp"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chmod(self.prefix, 0o755)  # workers running as nobody reach their temp folders through it
        self.site_conf.write_text(self.site_text, encoding="utf-8")
        self.conf.write_text(main_config(self.site_conf, self.prefix, worker_processes=self.worker_processes),
                             encoding="utf-8")

    def command(self, *extra: str) -> list[str]:
        return [self.binary or "nginx", "-p", str(self.prefix), "-c", str(self.conf), "-e", "stderr",
                "-g", f"daemon off; pid {self.prefix / 'nginx.pid'};", *extra]

    def test_config(self) -> tuple[bool, str]:
        """`nginx -t`: does nginx accept the config? (ok, what nginx said)."""
        self._need_binary()
        self.write()
        done = subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=20)
        return done.returncode == 0, done.stderr.strip()

    def dump(self) -> str:
        """`nginx -T`: the whole configuration as nginx read it."""
        self._need_binary()
        self.write()
        return subprocess.run(self.command("-T"), capture_output=True, text=True, timeout=20).stdout

    def _need_binary(self) -> None:
        if not self.binary:
            fail("nginx is not installed: `sudo apt-get install nginx` (or `brew install nginx`). The tests run it "
                 "as your user on a free port; nothing is installed as a service.")

    def start(self) -> Nginx:
        self._need_binary()
        self.write()
        self._log = log_file()
        self.process = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT,
                                        preexec_fn=child_setup())
        return self

    def wait_ready(self) -> Nginx:
        try:
            wait_for_port(self.port, self.ready_timeout, process=self.process)
        except (RuntimeError, TimeoutError) as error:
            said = self.problem() or self.output()[-1500:]
            self.stop()
            fail(f"nginx did not start with your config ({error}). nginx said: {said}")
        return self

    def problem(self) -> str:
        """nginx's own complaint ([emerg] ...), with the path of the lesson's file instead of the rendered one."""
        lines = [line for line in self.output().splitlines() if "[emerg]" in line or "[alert]" in line]
        text = "\n".join(re.sub(r"^.*?\[(emerg|alert)\] \d+#\d+: ", "", line) for line in lines)
        return re.sub(re.escape(str(self.site_conf)) + r":(\d+)", r"your nginx config, line \1", text)

    def output(self) -> str:
        if not self._log:
            return ""
        fd = self._log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode(errors="replace")

    def access_log(self) -> str:
        try:
            return (self.prefix / "logs" / "access.log").read_text(errors="replace")
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pids: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            try:
                pids += [int(p) for p in task.read_text().split()]
            except OSError:
                pass
        return sorted(set(pids))

    def reload(self, timeout: float = 5.0) -> None:
        """SIGHUP: re-read the config; new workers start, old ones finish their requests. Waits for the new set."""
        old = set(self.worker_pids())
        self.write()
        os.kill(self.process.pid, signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and (set(self.worker_pids()) & old or not self.worker_pids()):
            time.sleep(0.02)

    def stop(self, graceful: bool = False, timeout: float = 5.0) -> None:
        """SIGQUIT (graceful: finish open requests) or SIGTERM (fast), then SIGKILL for anything left."""
        process = self.process
        if process is None:
            return
        workers = self.worker_pids()
        if process.poll() is None:
            try:
                process.send_signal(signal.SIGQUIT if graceful else signal.SIGTERM)
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                pass
        for pid in [process.pid, *workers]:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        self.stop()
        if self._log:
            self._log.close()
            self._log = None
        if self._own_prefix:
            shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self) -> Nginx:
        return self.start().wait_ready()

    def __exit__(self, *exc) -> None:
        self.close()
