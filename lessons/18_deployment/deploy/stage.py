"""Lay a deployment out on this machine, for the tests, the bench and `awaitlings run 18` (course-owned).

    python -m deploy.stage prepare SCRATCH   # the capstone's folder, nginx's config, the database
    python -m deploy.stage nginx SCRATCH     # run nginx in the foreground with that config

What is deployed is the capstone's *reference* project: a copy of lessons/17_capstone with the
solutions of its exercises in place (awaitlings' own overlay, the one `awaitlings check 17 --solutions`
grades), in SCRATCH/capstone. The web servers and workers import it from there, and this lesson's
`deploy` package from the lesson folder (yours)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent  # this lesson's deploy/ (or the copy under test)
CAPSTONE = "17"

# The loopback layout of `awaitlings run 18` (docker/compose.yml uses the same ports inside its network).
PORTS = {"nginx": 8080, "gunicorn": 8001, "daphne": 8002, "flower": 5555, "redis": 6396}


def capstone_folder(into: Path) -> Path:
    """A copy of lesson 17 with its reference solutions in place."""
    from awaitlings.course import Course
    from awaitlings.targets import build_overlay

    into.mkdir(parents=True, exist_ok=True)
    return build_overlay(Course().lesson(CAPSTONE), "solutions", into=into)


def environment(*, redis_url: str, database_url: str, capstone: Path, public: str = "http://127.0.0.1:8080",
                deploy_root: Path = HERE.parent) -> dict[str, str]:
    """The environment every process of the deployment gets (what compose's `x-app-env` says)."""
    return {
        "DJANGO_SETTINGS_MODULE": "deploy.settings",
        "SECRET_KEY": "lesson-18-local-only-" + "k3y" * 12,  # 50+ characters, not a secret: local only
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": public,
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join([str(deploy_root), str(capstone)]),
        "PYTHONUNBUFFERED": "1",
    }


def web_servers(env: dict[str, str], capstone: Path, *, workers: int = 1, deploy_root: Path = HERE.parent) -> dict:
    """gunicorn (+ uvicorn-worker) and daphne serving deploy.asgi, on free loopback ports (not started yet):
    the same commands as lesson.toml's [run] and compose, with ports chosen for a test or the bench."""
    from awaitlings.testing import ServerProcess, free_port

    port = free_port()
    gunicorn = ServerProcess(["{python}", "-m", "gunicorn", "-c", str(deploy_root / "deploy" / "gunicorn.conf.py"),
                              "deploy.asgi:application"], port=port, cwd=capstone,
                             env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers),
                                  "DEPLOY_SERVER": "gunicorn"})
    daphne = ServerProcess(["{python}", "-m", "daphne", "--proxy-headers", "-b", "127.0.0.1", "-p", "{port}",
                            "deploy.asgi:application"], cwd=capstone, env={**env, "DEPLOY_SERVER": "daphne"})
    return {"gunicorn": gunicorn, "daphne": daphne}


def nginx_site(template: Path, *, port: int, gunicorn: str, daphne: str) -> str:
    """deploy/nginx.conf with its placeholders filled (what the nginx image's envsubst does in compose)."""
    from awaitlings.testing.nginx import render_template

    return render_template(template.read_text(encoding="utf-8"),
                           {"LISTEN": f"127.0.0.1:{port}", "GUNICORN": gunicorn, "DAPHNE": daphne})


def prepare(scratch: Path) -> None:
    scratch = scratch.resolve()
    capstone = capstone_folder(scratch / "capstone")
    from awaitlings.testing.nginx import main_config

    prefix = scratch / "nginx"
    for sub in ("conf", "logs", "temp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        os.chmod(scratch, 0o755)
        os.chmod(prefix, 0o755)
    site = prefix / "conf" / "site.conf"
    site.write_text(nginx_site(HERE / "nginx.conf", port=PORTS["nginx"], gunicorn=f"127.0.0.1:{PORTS['gunicorn']}",
                               daphne=f"127.0.0.1:{PORTS['daphne']}"), encoding="utf-8")
    (prefix / "conf" / "nginx.conf").write_text(main_config(site, prefix), encoding="utf-8")
    # The release step (compose's `migrate` service): tables and demo users, once, before any server.
    env = {**os.environ, **environment(redis_url=os.environ.get("REDIS_URL", f"redis://127.0.0.1:{PORTS['redis']}/0"),
                                       database_url=os.environ["DATABASE_URL"], capstone=capstone)}
    subprocess.run([sys.executable, "-m", "deploy.release"], cwd=capstone, env=env, check=True)
    print(f"prepared {capstone} and {prefix / 'conf' / 'nginx.conf'}", flush=True)


def run_nginx(scratch: Path) -> None:
    from awaitlings.testing.nginx import nginx_binary

    binary = nginx_binary()
    if not binary:
        sys.exit("nginx is not installed: `sudo apt-get install nginx` (or `brew install nginx`)")
    prefix = scratch.resolve() / "nginx"
    os.execv(binary, [binary, "-p", str(prefix), "-c", str(prefix / "conf" / "nginx.conf"), "-e", "stderr",
                      "-g", f"daemon off; pid {prefix / 'nginx.pid'};"])


if __name__ == "__main__":
    command, folder = sys.argv[1], Path(sys.argv[2])
    {"prepare": prepare, "nginx": run_nginx}[command](folder)
