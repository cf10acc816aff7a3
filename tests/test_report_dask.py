"""``aiadopt report --scheduler``: the reports run on a Dask cluster, the
pages travel back as bytes and are published by the process that started
the run (docs/cluster.md).

Everything listens on 127.0.0.1 only: an in-process ``LocalCluster``, and a
real ``dask scheduler`` with two ``dask worker`` processes started here.
Most runs use tiny notebooks (the real notebooks' ``parameters`` cell and one
cell steered by a JSON file), so a kernel runs for a second, not a minute.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest

pytest.importorskip("distributed")

from distributed import Client, LocalCluster  # noqa: E402

from aiadopt import __version__  # noqa: E402
from aiadopt.report.runner import (  # noqa: E402
    NOTEBOOKS,
    ClusterError,
    default_notebooks_dir,
    run_reports,
)
from aiadopt.report.sections import COMPLETION_MARK  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
PERIOD = "2026-10"

#: The tiny notebooks' body. ``die``: the kernel writes its pid and waits to
#: be killed, every time; ``die-once``: only on the first try.
BODY = """\
import json, os, pathlib, time
from IPython.display import HTML, display
_who = globals().get("department") or "Organisation"
_steer = pathlib.Path({steer!r})
_do = json.loads((_steer / "behaviour.json").read_text()).get(_who, "ok")
with open(_steer / ("tries-" + _who), "a") as _fh:
    _fh.write("x")
_try = len((_steer / ("tries-" + _who)).read_text())
if _do == "die" or (_do == "die-once" and _try == 1):
    _pid = _steer / "kernel-{{}}-{{}}.pid".format(_who, _try)
    _pid.with_suffix(".tmp").write_text(str(os.getpid()))
    os.replace(_pid.with_suffix(".tmp"), _pid)  # whole, for the test that reads it
    time.sleep(600)
_res = globals().get("results")
_got = sorted(
    p.name + "=" + p.read_text() if p.name == "slice.json" else p.name
    for p in (pathlib.Path(_res).iterdir() if _res else [])
)
display(HTML("<p class='made-by'>" + _who + " in " + pathlib.Path.cwd().name + "</p>"))
display(HTML("<p class='results'>" + ";".join(_got) + "</p>"))
"""


@pytest.fixture
def tiny(tmp_path):
    """Tiny report notebooks and a ``steer(**behaviour)`` for them."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    steer_dir = tmp_path / "steer"
    steer_dir.mkdir()
    for name in NOTEBOOKS.values():
        real = nbformat.read(default_notebooks_dir() / name, as_version=4)
        params = next(c for c in real.cells if "parameters" in c.metadata.get("tags", []))
        nb = nbformat.v4.new_notebook()
        nb.metadata = real.metadata
        nb.cells = [
            nbformat.v4.new_code_cell(params.source, metadata=params.metadata),
            nbformat.v4.new_code_cell(BODY.format(steer=str(steer_dir))),
            nbformat.v4.new_code_cell(f"print({COMPLETION_MARK!r})"),
        ]
        nbformat.write(nb, folder / name)

    def steer(**what: str) -> Path:
        (steer_dir / "behaviour.json").write_text(json.dumps(what))
        return steer_dir

    steer()
    return folder, steer


def _env(**more: str) -> dict[str, str]:
    """This environment, with this checkout first on the path (as the kernels get it)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, **more}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Cluster:
    """A real ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1,
    each in a process group of its own (ended by its id at the end)."""

    def __init__(self, folder: Path, *, allowed_failures: int = 1) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.file = folder / "scheduler.json"
        # As docs/cluster.md advises: a report whose worker died runs again once,
        # and a worker holds only the report it is running (none queued on it,
        # none moved to it by work stealing).
        self.env = _env(
            DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=str(allowed_failures),
            DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0",
            DASK_DISTRIBUTED__SCHEDULER__WORK_STEALING="False",
        )
        self.procs: list[subprocess.Popen] = []
        self._start(
            "scheduler",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(self.file),
        )
        deadline = time.monotonic() + 60
        while not self.file.is_file() or not self.file.read_text().strip():
            assert time.monotonic() < deadline, self.log("scheduler")
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]

    def _start(self, name: str, module: str, *args: str, env: dict | None = None) -> None:
        log = open(self.folder / f"{name}.log", "wb")
        self.procs.append(
            subprocess.Popen(
                [sys.executable, "-m", module, *args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env or self.env,
                cwd=self.folder,
                start_new_session=True,
            )
        )
        log.close()

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")[-3000:]

    def add_workers(self, n: int, *, env: dict | None = None, wait: bool = True) -> None:
        before = self.n_workers()
        for k in range(n):
            self._start(
                f"worker-{len(self.procs)}-{k}",
                "distributed.cli.dask_worker",
                "--scheduler-file",
                str(self.file),
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                env=env,
            )
        if wait:
            with Client(self.address, timeout=30) as client:
                client.wait_for_workers(before + n, timeout=120)

    def n_workers(self) -> int:
        with Client(self.address, timeout=30) as client:
            return len(client.scheduler_info()["workers"])

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """A real scheduler with two single-thread workers (a nanny each), which
    runs a report again at most once after its worker died."""
    cluster = _Cluster(tmp_path_factory.mktemp("dask"))
    try:
        cluster.add_workers(2)
        yield cluster
    finally:
        cluster.stop()


def _report(
    out: Path, notebooks: Path | None, *more: str, env=None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """``aiadopt report`` as a command, for the sample's HR and Legal."""
    command = [
        sys.executable,
        "-c",
        "import sys; from aiadopt.cli import main; sys.exit(main())",
        "report",
        "--data",
        str(SAMPLE),
        "--period",
        PERIOD,
        "--out",
        str(out),
        "--n-boot",
        "2",
        "--department",
        "HR",
        "--department",
        "Legal",
        *(["--notebooks", str(notebooks)] if notebooks else []),
        *more,
    ]
    return subprocess.run(
        command, capture_output=True, text=True, env=env or _env(), timeout=timeout, cwd=out.parent
    )


def _manifest(out: Path) -> dict:
    return json.loads((out / PERIOD / "manifest.json").read_text())


# -- LocalCluster: the same pages as a local run --------------------------------------------------


def test_a_local_cluster_publishes_the_same_pages_as_local_workers(tmp_path):
    """The real report notebooks for the organisation and HR: once with local
    worker processes, once on a LocalCluster. Every page is byte-equal; only
    the index and manifest (times, durations) differ."""
    options = dict(period=PERIOD, departments=["HR"], n_boot=20, progress=False)
    logged: list[str] = []
    local = run_reports(SAMPLE, out=tmp_path / "local", workers=2, log=logged.append, **options)
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as cluster:
        remote = run_reports(
            SAMPLE,
            out=tmp_path / "cluster",
            scheduler=cluster.scheduler_address,
            log=logged.append,
            **options,
        )
    assert local.ok and remote.ok, (local.failures, remote.failures)
    pages = sorted(p.name for p in local.directory.glob("*.html"))
    assert pages == ["department-hr.html", "index.html", "organisation.html"]
    # The same files (index, manifest and whatever else a run writes), and
    # the same report pages byte for byte.
    assert sorted(p.name for p in remote.directory.iterdir()) == sorted(
        p.name for p in local.directory.iterdir()
    )
    for name in ("organisation.html", "department-hr.html"):
        assert (remote.directory / name).read_bytes() == (local.directory / name).read_bytes()
    manifest = json.loads((remote.directory / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    assert {r["file"]: r["sha256"] for r in manifest["reports"]} == {
        r["file"]: r["sha256"] for r in _manifest(tmp_path / "local")["reports"]
    }
    index = (remote.directory / "index.html").read_text()
    assert 'href="organisation.html"' in index and 'href="department-hr.html"' in index
    # The same log lines as a local run: one per report.
    assert sum(" ok (" in line for line in logged) == 4, logged


# -- a real scheduler and workers ------------------------------------------------------------------


def test_report_command_on_a_real_scheduler_and_workers(tmp_path, tiny, dask_cluster):
    """``aiadopt report --scheduler``: each notebook travels as bytes and runs
    in a folder of the worker's own; the pages come back and are published."""
    notebooks, steer = tiny
    steer()
    out = tmp_path / "reports"
    done = _report(out, notebooks, "--scheduler", dask_cluster.address)
    assert done.returncode == 0, done.stderr
    assert f"3 of 3 reports published in {out / PERIOD}/" in done.stdout
    manifest = _manifest(out)
    assert manifest["status"] == "ok"
    assert sorted(r["file"] for r in manifest["reports"]) == [
        "department-hr.html",
        "department-legal.html",
        "organisation.html",
    ]
    for report in manifest["reports"]:
        page = (out / PERIOD / report["file"]).read_text()
        # The kernel ran in the worker's temporary folder, not in the notebooks folder.
        assert f"{report['title']} in aiadopt-job-" in page, page[-500:]
    assert sorted(p.name for p in (out / ".runs").iterdir()) == [os.readlink(out / PERIOD)[6:]]


def _dask_worker_of(kernel: psutil.Process) -> psutil.Process:
    """The Dask worker process running a report's kernel: the child of the
    nanny (``dask worker``) among the kernel's ancestors."""
    below = kernel
    for above in kernel.parents():
        if "distributed.cli.dask_worker" in " ".join(above.cmdline()):
            assert below.pid not in (kernel.pid, os.getpid())
            return below
        below = above
    raise AssertionError(f"kernel {kernel.pid} does not run under a dask worker")


def _kill_workers_of_kernels(
    folder: Path, killed: list[str], stop: threading.Event, errors: list[str]
) -> None:
    """Each time a kernel writes ``kernel-<who>-<try>.pid``, SIGKILL the Dask
    worker process running it."""
    while not stop.is_set():
        for pid_file in sorted(folder.glob("kernel-*.pid")):
            if pid_file.name in killed:
                continue
            try:
                _dask_worker_of(psutil.Process(int(pid_file.read_text()))).kill()
            except (AssertionError, psutil.Error) as exc:
                errors.append(f"{pid_file.name}: {exc!r}")
                continue
            killed.append(pid_file.name)
        time.sleep(0.2)


def _kernels_end(folder: Path, within: float) -> list[int]:
    """The kernels that wrote a pid file and are still alive after ``within`` s."""
    pids = [int(p.read_text()) for p in folder.glob("kernel-*.pid") if p.read_text().strip()]
    deadline = time.monotonic() + within
    while True:
        alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


def test_a_worker_killed_mid_run(tmp_path, tiny, dask_cluster):
    """HR's worker is SIGKILLed while it runs HR, every time: the scheduler
    runs HR once more on another worker, then HR fails with "worker lost";
    the other reports are published."""
    notebooks, steer = tiny
    folder = steer(HR="die")
    out = tmp_path / "reports"
    killed: list[str] = []
    stop = threading.Event()
    errors: list[str] = []
    killer = threading.Thread(target=_kill_workers_of_kernels, args=(folder, killed, stop, errors))
    killer.start()
    try:
        done = _report(out, notebooks, "--scheduler", dask_cluster.address, timeout=300)
    finally:
        stop.set()
        killer.join()
    assert killed == ["kernel-HR-1.pid", "kernel-HR-2.pid"], errors
    assert (folder / "tries-HR").read_text() == "xx"  # retried once
    assert done.returncode == 1, done.stderr
    assert "2 of 3 reports published" in done.stdout, done.stderr
    assert "HR: worker lost: the report was tried on 2 worker(s) and each died" in done.stderr
    reports = {r["title"]: r for r in _manifest(out)["reports"]}
    assert reports["HR"]["status"] == "failed" and reports["HR"]["file"] is None
    assert reports["Legal"]["status"] == "ok" and reports["Organisation"]["status"] == "ok"
    assert "Legal in aiadopt-job-" in (out / PERIOD / "department-legal.html").read_text()
    assert not (out / PERIOD / "department-hr.html").exists()
    assert not _kernels_end(folder, within=10)  # the killed workers' kernels went with them
    deadline = time.monotonic() + 60  # the nannies restart the killed workers
    while dask_cluster.n_workers() < 2:
        assert time.monotonic() < deadline
        time.sleep(0.5)


# -- a cluster that cannot be used --------------------------------------------------------------


def test_an_unreachable_scheduler_is_a_clear_error_and_nothing_runs(tmp_path, tiny):
    notebooks, _ = tiny
    out = tmp_path / "reports"
    address = f"tcp://127.0.0.1:{_free_port()}"
    done = _report(out, notebooks, "--scheduler", address)
    assert done.returncode == 2, done.stderr
    assert f"aiadopt report: error: cannot reach the Dask scheduler at '{address}'" in done.stderr
    assert "Start it (dask scheduler --host HOST --port PORT)" in done.stderr
    assert "nothing was run or published" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
    assert not list((tmp_path / "steer").glob("tries-*"))  # no kernel ran


def test_a_cluster_without_workers_or_with_another_aiadopt_is_refused(tmp_path, tiny):
    """No worker: refused after a short wait. A worker whose aiadopt is
    another version: refused, naming the worker and both versions."""
    notebooks, _ = tiny
    cluster = _Cluster(tmp_path / "dask")
    try:
        with pytest.raises(ClusterError, match=r"has no workers .* dask worker tcp://127\.0\.0\.1"):
            run_reports(SAMPLE, out=tmp_path / "reports", scheduler=cluster.address)
        other = tmp_path / "other" / "aiadopt"
        other.mkdir(parents=True)
        (other / "__init__.py").write_text('__version__ = "9.9.9"\n')
        cluster.add_workers(1, env={**cluster.env, "PYTHONPATH": str(other.parent)})
        with pytest.raises(ClusterError) as refused:
            run_reports(
                SAMPLE,
                out=tmp_path / "reports",
                scheduler=cluster.address,
                notebooks_dir=notebooks,
                departments=["HR"],
            )
    finally:
        cluster.stop()
    message = str(refused.value)
    assert f"aiadopt 9.9.9, this machine has aiadopt {__version__}" in message
    assert "tcp://127.0.0.1:" in message and "nothing was run or published" in message
    assert not (tmp_path / "reports").exists()
    assert not list((tmp_path / "steer").glob("tries-*"))


def test_a_worker_with_another_aiadopt_fails_only_its_report():
    """A worker that joins after the check and has another aiadopt: its
    report fails, naming both versions (the check on the worker itself)."""
    from aiadopt.report.runner import Job, _run_on_worker

    job = Job("organisation", None, "Organisation", "organisation.html", "x.ipynb", {})
    made = _run_on_worker(job, b"", 60, "python3", False, None, "0.0.1")
    assert made.page is None and made.result.status == "failed"
    assert (
        made.result.reason == f"the worker has aiadopt {__version__}, the run needs aiadopt 0.0.1"
    )


def test_signal_cancels_the_cluster_run_and_publishes_nothing(tmp_path, tiny, dask_cluster):
    notebooks, steer = tiny
    out = tmp_path / "reports"
    steer()
    assert _report(out, notebooks, "--scheduler", dask_cluster.address).returncode == 0
    before = {str(p): p.read_bytes() for p in (out / PERIOD).rglob("*") if p.is_file()}
    folder = steer(Organisation="die", HR="die", Legal="die")
    command = [
        sys.executable,
        "-c",
        "import sys; from aiadopt.cli import main; sys.exit(main())",
        "report",
        *("--data", str(SAMPLE), "--period", PERIOD, "--out", str(out), "--n-boot", "2"),
        *("--department", "HR", "--department", "Legal", "--notebooks", str(notebooks)),
        *("--scheduler", dask_cluster.address),
        # Another seed: the month is not "unchanged" (aiadopt.history), so it runs again.
        *("--seed", "1"),
    ]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        deadline = time.monotonic() + 120
        while not list(folder.glob("kernel-*.pid")):  # a report is running on the cluster
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "interrupted by SIGTERM: workers and kernels stopped, nothing published" in err
    assert {str(p): p.read_bytes() for p in (out / PERIOD).rglob("*") if p.is_file()} == before
    assert len(list((out / ".runs").iterdir())) == 1
    # The running reports were cancelled: their kernels ended, the workers are free.
    assert not _kernels_end(folder, within=15)
    with Client(dask_cluster.address, timeout=30) as client:
        assert client.submit(sum, [1, 2], pure=False).result(timeout=30) == 3


def test_a_page_that_cannot_be_written_stops_the_cluster_run(
    tmp_path, tiny, dask_cluster, monkeypatch
):
    """The client writes the pages: a full disk there stops the run with
    OutputError, the reports are cancelled and nothing is published."""
    import errno

    import aiadopt.atomic
    from aiadopt.report.runner import OutputError

    notebooks, steer = tiny
    steer()
    out = tmp_path / "reports"
    real = aiadopt.atomic.write_bytes_atomic

    def full(path, data, **kw):
        if Path(path).suffix == ".html":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data, **kw)

    monkeypatch.setattr(aiadopt.atomic, "write_bytes_atomic", full)
    with pytest.raises(OutputError, match=r"No space left on device \(ENOSPC\)\. The disk is full"):
        run_reports(
            SAMPLE,
            period=PERIOD,
            departments=["HR"],
            n_boot=2,
            notebooks_dir=notebooks,
            out=out,
            scheduler=dask_cluster.address,
            progress=False,
        )
    assert not (out / PERIOD).exists() and list((out / ".runs").iterdir()) == []


def test_without_the_cluster_extra_the_fix_is_named(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(
        ClusterError, match=r"needs the 'cluster' extra: pip install 'aiadopt\[cluster\]'"
    ):
        run_reports(SAMPLE, out=tmp_path / "reports", scheduler="tcp://127.0.0.1:8786")
    assert not (tmp_path / "reports").exists()


def test_each_job_carries_its_results_slice_as_bytes(tmp_path, tiny, dask_cluster, monkeypatch):
    """A job's results slice (``Job.results``) travels to the worker as bytes
    and is a folder there, passed to the kernel as ``results``."""
    import dataclasses

    import aiadopt.report.runner as runner

    notebooks, steer = tiny
    steer()
    execute = runner._execute

    def with_slices(jobs, run_dir, **kw):
        jobs = [
            dataclasses.replace(job, results={"slice.json": f"for {job.title}".encode()})
            for job in jobs
        ]
        return execute(jobs, run_dir, **kw)

    monkeypatch.setattr(runner, "_execute", with_slices)
    result = run_reports(
        SAMPLE,
        period=PERIOD,
        departments=["HR"],
        n_boot=2,
        notebooks_dir=notebooks,
        out=tmp_path / "reports",
        scheduler=dask_cluster.address,
        progress=False,
    )
    assert result.ok, result.failures
    for page, title in (("organisation.html", "Organisation"), ("department-hr.html", "HR")):
        assert f"slice.json=for {title}</p>" in (result.directory / page).read_text()
