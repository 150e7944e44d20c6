"""What the benchmark scripts share: paths, the child-process runner, memory.

Every measurement runs in a child process of ``run.py``, so that its peak
memory is its own (``os.wait4`` gives the child's ``ru_maxrss``) and no
import or cache of one measurement warms the next.
"""
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"


def django_env(database_url, content_dir, **extra):
    """The environment of a child that runs the site's code."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "KB_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "kb.settings",
        "DATABASE_URL": database_url,
        "KB_CONTENT_DIR": str(content_dir),
        "PYTHONPATH": str(ROOT),
        "PYTHONHASHSEED": "0",
    })
    env.update({key: str(value) for key, value in extra.items()})
    return env


def _descendants(pid):
    """``pid`` and every process below it (Linux: /proc/PID/task/TID/children).

    Cheaper than scanning all of /proc, which matters on a busy machine: the
    sampler runs every 0.1 s for the whole of a measurement.
    """
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue  # the process ended between two reads
    return found


def _memory_kb(pid):
    """(rss, pss) of one process in kB; pss counts shared (forked) pages once."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeSampler(threading.Thread):
    """Samples the summed PSS and RSS of a process tree every ``interval`` s."""

    def __init__(self, pid, interval=0.1):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_pss = self.peak_rss = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            total_rss = total_pss = 0
            for pid in _descendants(self.pid):
                rss, pss = _memory_kb(pid)
                total_rss += rss
                total_pss += pss
            self.peak_rss = max(self.peak_rss, total_rss)
            self.peak_pss = max(self.peak_pss, total_pss)
            self.stopped.wait(self.interval)


# Scheduling priority of every measured child (run.py --nice): on a shared
# machine, a negative value (root only) keeps other work from stretching the
# wall times; CPU times are reported as well in any case.
PRIORITY = {"nice": 0}


def _set_priority():
    if PRIORITY["nice"]:
        os.setpriority(os.PRIO_PROCESS, 0, PRIORITY["nice"])


def run_child(args, env=None, cwd=ROOT, timeout=3600, json_result=True):
    """Run a command; return its JSON result (its last stdout line) plus memory and times.

    ``max_rss_mb`` is the largest single process (the child or any process it
    waited for: ``ru_maxrss`` from ``wait4``); ``tree_pss_mb`` the sampled peak
    of the whole tree with shared pages counted once, which is what the
    machine actually had to hold.
    """
    started = time.perf_counter()
    process = subprocess.Popen([str(a) for a in args], env=env, cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_set_priority)
    sampler = TreeSampler(process.pid)
    sampler.start()
    reader = {}

    def drain(name, stream):
        reader[name] = stream.read()

    threads = [threading.Thread(target=drain, args=(name, stream), daemon=True)
               for name, stream in (("out", process.stdout), ("err", process.stderr))]
    for thread in threads:
        thread.start()
    deadline = started + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.02)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    sampler.stopped.set()
    sampler.join()
    for thread in threads:
        thread.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} exited {process.returncode}:\n"
                           f"{reader.get('err', '')[-4000:]}\n{reader.get('out', '')[-2000:]}")
    result = {}
    if json_result:
        lines = [line for line in reader["out"].splitlines() if line.strip()]
        result = json.loads(lines[-1]) if lines else {}
    result.update({
        "process_wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "tree_pss_mb": round(sampler.peak_pss / 1024, 1),
        "tree_rss_mb": round(sampler.peak_rss / 1024, 1),
    })
    return result


def emit(result):
    """A child's answer: one JSON line on stdout, the last thing it prints."""
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def percentile(values, fraction):
    """The value below which ``fraction`` of ``values`` lie (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def django_setup():
    """For children: set Django up from the environment ``django_env`` gave them."""
    sys.path.insert(0, str(ROOT))
    import django
    django.setup()
