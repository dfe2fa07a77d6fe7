"""A real PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder, one per session.

Under pytest-xdist the workers share one server: the first one to take the file lock starts
it, each registers itself, and the last one to finish stops it. Every test gets a database
of its own. initdb refuses to run as root, so as root the server runs as the ``postgres``
user (or ``nobody``) through setpriv.
"""

from __future__ import annotations

import fcntl
import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.smtpsink import free_port

SUPERUSER = "zxfeed"


def find_bindir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine (Debian's layout, then PATH)."""
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                  key=lambda d: int(Path(d).parent.name) if Path(d).parent.name.isdigit() else 0)
    for d in reversed(dirs):
        if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists():
            return Path(d)
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    return None


def _runas() -> tuple[list[str], int | None, int | None]:
    """A command prefix that drops root, and the uid/gid the server's files must belong to."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return (["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups"],
                pw.pw_uid, pw.pw_gid)
    raise RuntimeError("running as root, and neither a postgres nor a nobody user exists")


class PgServer:
    """One running server; ``url(db)`` for a database on it."""

    def __init__(self, port: int, datadir: Path) -> None:
        self.port = port
        self.datadir = datadir

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{db}"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    @contextmanager
    def database(self) -> Iterator[str]:
        """A new empty database for one test, dropped afterwards."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.admin(f"CREATE DATABASE {name}")
        try:
            yield self.url(name)
        finally:
            self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _start(bindir: Path, root: Path) -> dict:
    prefix, uid, gid = _runas()
    datadir = root / "data"
    if uid is not None:
        os.chown(root, uid, gid or -1)
    port = free_port()
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(datadir), "-U", SUPERUSER,
                    "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
                   check=True, capture_output=True, cwd=root)
    options = (f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{root}' "
               "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
               "-c max_connections=300 -c shared_buffers=64MB")
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(root / "log"),
                    "-o", options, "-w", "-t", "60", "start"], check=True, capture_output=True, cwd=root)
    return {"port": port, "datadir": str(datadir), "bindir": str(bindir), "pid": os.getpid()}


def _stop(info: dict) -> None:
    prefix, _, _ = _runas()
    subprocess.run([*prefix, str(Path(info["bindir"]) / "pg_ctl"), "-D", info["datadir"], "-m",
                    "immediate", "-w", "stop"], capture_output=True, cwd="/")
    shutil.rmtree(Path(info["datadir"]).parent, ignore_errors=True)


class SharedServer:
    """The session's server, shared by the xdist workers through files in ``meeting``."""

    def __init__(self, meeting: Path, bindir: Path) -> None:
        self.meeting = meeting
        self.bindir = bindir
        self.lockfile = meeting / "pg.lock"
        self.infofile = meeting / "pg.json"
        self.usersfile = meeting / "pg.users"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.lockfile, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _users(self) -> int:
        try:
            return int(self.usersfile.read_text() or 0)
        except FileNotFoundError:
            return 0

    def acquire(self) -> PgServer:
        with self._locked():
            users = self._users()
            if users == 0 or not self.infofile.exists():
                # A folder of its own outside pytest's (root-only) temporary tree.
                root = Path(tempfile.mkdtemp(prefix="zxfeed-pg-"))
                os.chmod(root, 0o755)
                info = _start(self.bindir, root)
                self.infofile.write_text(json.dumps(info))
            info = json.loads(self.infofile.read_text())
            self.usersfile.write_text(str(users + 1))
        return PgServer(info["port"], Path(info["datadir"]))

    def release(self) -> None:
        with self._locked():
            users = self._users() - 1
            self.usersfile.write_text(str(max(users, 0)))
            if users <= 0 and self.infofile.exists():
                _stop(json.loads(self.infofile.read_text()))
                self.infofile.unlink()
