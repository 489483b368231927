"""The kernel cache on a shared machine: only private folders are used, damaged files heal,
old generated modules go, and ``tui-backprop cache`` shows and clears it. Behaviour is
checked through the installed command, with the cache in tmp_path."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import stat
import threading
from pathlib import Path

import numba
import pytest

from kernels import config, specialize

from .helpers import run_cli, run_in_terminal

OTHER_UID = 12345  # a user who is not us (the tests run as root, who can chown)
# The smallest network (NOT, one weight and a bias): its kernels compile in about half the
# time of XOR 2-3-1's, and every run here compiles into a cache of its own.
TRAIN = ("train", "--problem", "not", "--hidden", "0", "--epochs", "2", "--json")


def env_for(home: Path, **more: str) -> dict[str, str]:
    """The cache in ``home`` (XDG_CACHE_HOME), a temp folder of its own, no NUMBA_CACHE_DIR."""
    temp = home.parent / f"{home.name}-tmp"
    temp.mkdir(exist_ok=True)
    env = {"XDG_CACHE_HOME": str(home), "TMPDIR": str(temp), "NUMBA_CACHE_DIR": ""}
    return env | more


def cache_of(home: Path) -> Path:
    return home / "tui-backprop" / "numba"


def train(env: dict[str, str]) -> tuple[dict, str]:
    """The losses of a short run (its JSON without the time taken), and its stderr."""
    result = run_cli(*TRAIN, env=env)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    out.pop("seconds")
    return out, result.stderr


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> tuple[Path, dict]:
    """A cache filled by one run, and that run's result."""
    home = tmp_path_factory.mktemp("warm") / "home"
    out, err = train(env_for(home))
    assert err == ""
    return cache_of(home), out


def copy_of(warm_cache: Path, tmp_path: Path) -> Path:
    """A copy of the warm cache in tmp_path / "home", as if made there: numba keeps the
    generated modules' caches in a folder named by a hash of their folder's path."""
    home = tmp_path / "home"
    copy_cache(warm_cache, cache_of(home))
    return home


def copy_cache(cache: Path, to: Path) -> None:
    shutil.copytree(cache, to, symlinks=True)
    old = config.cache_subpath(cache / "generated")
    (to / old).rename(to / config.cache_subpath(to / "generated"))


class Planted:
    """Unpickling this touches a marker file: what an attacker would plant."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def plant(folder: Path, warm_cache: Path, marker: Path) -> None:
    """Every file a run reads, under its name in ``folder``: index and data files that run
    code when unpickled (sealed, as our own are, and not), generated sources and .pyc
    files that touch ``marker``."""
    evil = pickle.dumps(Planted(marker))
    code = f"from pathlib import Path\nPath({str(marker)!r}).touch()\n"
    for path in warm_cache.rglob("*"):
        if path.is_dir():
            continue
        target = folder / path.relative_to(warm_cache)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix in (".nbi", ".nbc"):
            target.write_bytes(config._seal(evil) if path.suffix == ".nbi" else evil)
        elif path.suffix == ".py":
            target.write_text(code)
            pycache = target.parent / "__pycache__"
            pycache.mkdir(exist_ok=True)
            (pycache / f"{path.stem}.cpython-311.pyc").write_bytes(b"planted")
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, 0o777 if path.is_dir() else 0o666)


@pytest.mark.parametrize(
    "setup", ["world-writable", "other owner", "symlink", "plain file", "generated shared"]
)
def test_shared_cache_folders_are_not_used(tmp_path, warm, setup):
    warm_cache, expected = warm
    home, marker = tmp_path / "home", tmp_path / "marker"
    ours = cache_of(home)
    if setup == "plain file":
        ours.parent.mkdir(parents=True)
        ours.write_text("not a folder")
    elif setup == "symlink":
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o700)
        plant(shared, warm_cache, marker)
        ours.parent.mkdir(parents=True)
        ours.symlink_to(shared)
    elif setup == "generated shared":  # our folder is fine, the generated one in it is not
        shutil.copytree(warm_cache, ours)
        shutil.rmtree(ours / "generated")
        (ours / "generated").mkdir()
        plant(ours / "generated", warm_cache / "generated", marker)
    else:
        ours.mkdir(parents=True)
        plant(ours, warm_cache, marker)
        os.chmod(ours, 0o777)
        if setup == "other owner":
            for path in [ours, *ours.rglob("*")]:
                os.lchown(path, OTHER_UID, OTHER_UID)
            os.chmod(ours, 0o700)  # theirs alone, but theirs
    out, err = train(env_for(home))
    assert out == expected
    assert not marker.exists(), "code planted in a shared folder ran"
    assert "not a private folder" in err and len(err.strip().splitlines()) == 1, err
    # The fallback folder was the run's own, and went with it.
    assert list(Path(env_for(home)["TMPDIR"]).iterdir()) == []


def test_no_cache_uses_no_predictable_folder(tmp_path, warm):
    """TUI_BACKPROP_NO_CACHE=1: the generated sources go to a folder of the run's own, not
    a shared $TMPDIR/tui-backprop-generated-<uid> someone may have made first."""
    warm_cache, expected = warm
    home, marker = tmp_path / "home", tmp_path / "marker"
    env = env_for(home, TUI_BACKPROP_NO_CACHE="1")
    temp = Path(env["TMPDIR"])
    for name in (f"tui-backprop-generated-{os.getuid()}", f"tui-backprop-numba-{os.getuid()}"):
        plant(temp / name / "generated", warm_cache / "generated", marker)
        os.chmod(temp / name, 0o777)
    before = sorted(temp.iterdir())
    out, err = train(env)
    assert out == expected and err == "" and not marker.exists()
    assert sorted(temp.iterdir()) == before  # its own folder was removed at exit
    assert not home.exists()


@pytest.mark.parametrize("kind", ["nbi", "nbc", "py", "all"])
def test_a_damaged_cache_heals(tmp_path, warm, kind):
    warm_cache, expected = warm
    home = copy_of(warm_cache, tmp_path)
    cache = cache_of(home)
    damaged = 0
    for path in cache.rglob("*"):
        if kind not in (path.suffix[1:], "all") or path.is_dir():
            continue
        data = bytearray(path.read_bytes())
        if path.suffix == ".nbi":
            data = data[: len(data) // 2]  # truncated
        else:
            for i in range(len(data) // 3, len(data) // 3 + 64):
                data[i] ^= 0x5A  # garbled: an LLVM assertion would abort on the .nbc's
        path.write_bytes(bytes(data))
        damaged += 1
    assert damaged
    out, err = train(env_for(home))
    assert out == expected
    notes = err.strip().splitlines()
    assert notes and all("damaged" in line for line in notes), err
    out, err = train(env_for(home))
    assert out == expected and err == ""  # healed for good


def test_the_key_covers_every_kernel_source(tmp_path):
    source = Path(specialize.__file__).parent
    copy = tmp_path / "kernels"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    first = config.sources_hash(copy)
    assert first == config.sources_hash(source) == config.kernels_hash()
    assert config.cache_subpath(source) == config.KERNELS_SUBDIR_PREFIX + first
    assert specialize._key((2, 2, 1), (0, 1, 1), 0, True).startswith(first + "_")
    changed = set()
    for name in ("layout.py", "dense.py", "config.py", "__init__.py"):
        path = copy / name
        text = path.read_text()
        path.write_text(text + "\n# an edit\n")
        changed.add(config.sources_hash(copy))
        path.write_text(text)
    (copy / "sub").mkdir()
    (copy / "sub" / "extra.py").write_text("X = 1\n")
    changed.add(config.sources_hash(copy))
    assert first not in changed and len(changed) == 5
    (copy / "sub" / "extra.py").unlink()
    assert config.sources_hash(copy) == first


def test_a_copy_in_another_folder_uses_the_cache_until_a_kernel_source_changes(tmp_path, warm):
    """The kernels' cache folder is named by their sources, not their path: a second
    checkout or install of the same code loads what the first compiled; an edit to any
    kernel source (here one the dense kernels call) compiles again, in a new folder, and
    the old versions' folders go."""
    warm_cache, _ = warm
    home = copy_of(warm_cache, tmp_path)
    cache = cache_of(home)
    elsewhere = tmp_path / "elsewhere"
    for package in ("kernels", "tui_backprop"):
        shutil.copytree(
            config.KERNELS_DIR.parent / package,
            elsewhere / package,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    env = env_for(home, PYTHONPATH=str(elsewhere))  # the copy is imported first
    code, screen = run_in_terminal(*TRAIN, env=env, timeout=300)
    assert code == 0, screen
    assert b"cache --warm" not in screen  # the first start's hint: nothing compiled
    (old,) = [p.name for p in cache.iterdir() if p.name.startswith(config.KERNELS_SUBDIR_PREFIX)]
    legacy = cache / ("kernels_" + "0" * 40)  # path-keyed, as numba names folders
    legacy.mkdir(mode=0o700)
    theirs = cache / "someone_else"
    theirs.mkdir(mode=0o700)
    with open(elsewhere / "kernels" / "shuffle.py", "a") as f:
        f.write("\n# an edit\n")
    code, screen = run_in_terminal(*TRAIN, env=env, timeout=300)
    assert code == 0, screen
    assert b"cache --warm" in screen  # compiled again
    (new,) = [p.name for p in cache.iterdir() if p.name.startswith(config.KERNELS_SUBDIR_PREFIX)]
    assert new != old and new == config.KERNELS_SUBDIR_PREFIX + config.sources_hash(
        elsewhere / "kernels"
    )
    assert not legacy.exists() and theirs.exists()


def test_old_generated_modules_are_pruned(tmp_path, warm):
    warm_cache, _ = warm
    home = copy_of(warm_cache, tmp_path)
    cache = cache_of(home)
    generated = cache / "generated"
    (numba_dir,) = [p for p in cache.iterdir() if p.name.startswith("generated_")]
    current = {p.name for p in generated.iterdir()} | {p.name for p in numba_dir.iterdir()}
    stale = [
        generated / "_tui_backprop_net_000000000000_0123456789abcdef.py",
        generated / "_tui_backprop_net_0123456789abcdef.py",  # before the sources' hash
        numba_dir / "_tui_backprop_net_000000000000_0123456789abcdef.step-484.py311.nbi",
        numba_dir / "_tui_backprop_net_000000000000_0123456789abcdef.step-484.py311.1.nbc",
        generated / "__pycache__" / "_tui_backprop_net_0123456789abcdef.cpython-311.pyc",
    ]
    for path in stale:
        path.parent.mkdir(exist_ok=True)
        path.write_text("old")
    kept = numba_dir / "someone_else.nbi"
    kept.write_text("not ours to prune")
    # The same network: its module is there, nothing is written, nothing pruned (cheap).
    train(env_for(home))
    assert all(p.exists() for p in stale)
    # Another network: a new module is written, and the old versions go.
    result = run_cli("train", "--epochs", "1", "--hidden", "4", env=env_for(home))
    assert result.returncode == 0, result.stderr
    assert not any(p.exists() for p in stale) and kept.exists()
    now = {p.name for p in generated.iterdir()} | {p.name for p in numba_dir.iterdir()}
    assert current <= now and len({p for p in generated.iterdir()}) == 2


def cache_json(*args: str, env: dict[str, str]) -> dict:
    result = run_cli("cache", *args, "--json", env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_cache_command_shows_and_clears(tmp_path, warm):
    warm_cache, expected = warm
    home = copy_of(warm_cache, tmp_path)
    env = env_for(home)
    shown = cache_json(env=env)
    files = [p for p in cache_of(home).rglob("*") if not p.is_dir()]
    assert shown["location"] == str(cache_of(home)) and not shown["temporary"]
    assert shown["files"] == len(files) > 0
    assert shown["bytes"] == sum(p.stat().st_size for p in files)
    text = run_cli("cache", env=env).stdout
    assert str(cache_of(home)) in text and f"{len(files)} files" in text
    cleared = cache_json("--clear", env=env)
    assert cleared["cleared"] == {"files": shown["files"], "bytes": shown["bytes"]}
    assert cleared["files"] == 0
    assert train(env) == (expected, "")  # and it fills again


def test_the_cache_command_clears_only_ours_in_numba_cache_dir(tmp_path, warm):
    warm_cache, _ = warm
    shared = tmp_path / "numba-cache"
    copy_cache(warm_cache, shared)
    os.chmod(shared, 0o700)
    theirs = [shared / "project_0123" / "f-1.py311.nbi", shared / "notes.txt"]
    for path in theirs:
        path.parent.mkdir(exist_ok=True)
        path.write_text("someone else's")
    env = env_for(tmp_path / "home", NUMBA_CACHE_DIR=str(shared))
    shown = cache_json(env=env)
    assert shown["location"] == str(shared) and shown["files"] > 0
    cleared = cache_json("--clear", env=env)
    assert cleared["files"] == 0 and cleared["cleared"]["files"] == shown["files"]
    assert sorted(p for p in shared.rglob("*") if p.is_file()) == sorted(theirs)


@pytest.fixture
def open_umask():
    """umask 000 for the commands a test runs (they inherit it), restored after."""
    old = os.umask(0)
    yield
    os.umask(old)


def modes(top: Path, path: Path) -> dict[str, int]:
    """The permission bits of ``top`` and every folder under it down to ``path``."""
    return {
        str(folder): stat.S_IMODE(folder.stat().st_mode)
        for folder in [path, *path.parents]
        if folder == top or top in folder.parents
    }


@pytest.mark.parametrize("where", ["NUMBA_CACHE_DIR", "HOME"])
def test_every_folder_made_on_the_way_to_the_cache_is_private(tmp_path, open_umask, where):
    top = tmp_path / "x"
    if where == "NUMBA_CACHE_DIR":
        cache = top / "deep" / "numba"
        env = {"NUMBA_CACHE_DIR": str(cache)}
    else:
        cache = top / ".cache" / "tui-backprop" / "numba"
        env = {"HOME": str(top), "XDG_CACHE_HOME": "", "NUMBA_CACHE_DIR": ""}
    result = run_cli("cache", "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["location"] == str(cache)
    made = modes(top, cache)
    assert made == dict.fromkeys(made, 0o700) and len(made) == len(cache.relative_to(top).parts) + 1


def test_clearing_a_folder_it_cannot_trust_refuses(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    kept = shared / "notes.txt"
    kept.write_text("")
    for args in [(), ("--json",)]:
        result = run_cli("cache", "--clear", *args, env={"NUMBA_CACHE_DIR": str(shared)})
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and str(shared) in result.stderr
        assert "not a private folder" in result.stderr and "nothing cleared" in result.stderr
    assert kept.exists()


def test_clearing_a_cache_that_does_not_exist_makes_nothing(tmp_path):
    missing = tmp_path / "none" / "numba"
    env = {"NUMBA_CACHE_DIR": str(missing)}
    text = run_cli("cache", "--clear", env=env)
    assert text.returncode == 0 and "nothing" in text.stdout and str(missing) in text.stdout
    assert cache_json("--clear", env=env)["cleared"] == {"files": 0, "bytes": 0}
    assert list(tmp_path.iterdir()) == []


def test_the_cache_command_when_caching_is_off(tmp_path):
    env = env_for(tmp_path / "home", TUI_BACKPROP_NO_CACHE="1")
    assert cache_json(env=env)["location"] is None
    assert "off" in run_cli("cache", "--clear", env=env).stdout


def test_clearing_refuses_what_it_did_not_verify(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    root = config.user_cache_dir()
    root.mkdir(parents=True)
    os.chmod(root, 0o700)
    monkeypatch.setattr(config, "CACHE_DIR", str(root))
    (root / "generated").mkdir()
    (root / "generated" / "x.py").write_text("")
    os.chmod(root / "generated", 0o777)  # not ours alone: someone may have put things in
    with pytest.raises(config.CacheRefused):
        config.clear_cache()
    assert (root / "generated" / "x.py").exists()  # nothing removed
    os.chmod(root / "generated", 0o700)
    os.chmod(root, 0o777)
    with pytest.raises(config.CacheRefused):
        config.clear_cache()
    os.chmod(root, 0o700)
    (root / "link").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "keep").write_text("")
    assert config.clear_cache()["files"] == 2
    assert list(root.iterdir()) == [] and (tmp_path / "elsewhere" / "keep").exists()
    assert stat.S_IMODE(os.lstat(root).st_mode) == 0o700


def test_other_code_in_the_same_cache_keeps_numbas_format(tmp_path, warm):
    """Only our kernels' cache files are sealed: another function cached in the same
    directory (numba.config.CACHE_DIR is process-wide) stays readable by numba alone."""
    assert config.CACHE_DIR is not None
    source = tmp_path / "theirs" / "their_module.py"
    source.parent.mkdir()
    source.write_text("from numba import njit\n\n@njit(cache=True)\ndef f(x):\n    return x + 1\n")
    folder = Path(config.CACHE_DIR) / config.cache_subpath(source.parent)
    try:
        namespace: dict = {"__file__": str(source), "__name__": "their_module"}
        exec(compile(source.read_text(), str(source), "exec"), namespace)
        assert namespace["f"](1) == 2
        (index,) = folder.glob("*.nbi")
        with open(index, "rb") as f:
            assert pickle.load(f) == numba.__version__  # numba's own format
        assert not config.is_ours(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert config.is_ours(Path(config.CACHE_DIR) / config.cache_subpath(config.KERNELS_DIR))
    ours = list(warm[0].rglob("*.nb[ic]"))
    assert ours and all(p.read_bytes().startswith(config._MAGIC) for p in ours)


def test_a_first_start_of_train_says_how_to_compile_ahead(tmp_path):
    # On a terminal: once the kernels were compiled (an empty cache), not once they load.
    env = env_for(tmp_path / "home")
    code, first = run_in_terminal(*TRAIN, env=env, timeout=300)
    assert code == 0, first
    assert b"cache --warm" in first
    code, again = run_in_terminal(*TRAIN, env=env, timeout=300)
    assert code == 0, again
    assert b"cache --warm" not in again
    # Never on a pipe (a script reading stderr), even when compiling.
    result = run_cli(*TRAIN, env=env_for(tmp_path / "piped"), timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_setup_clock_counts_a_compile_and_not_a_compiled_call():
    """kernels.SetupClock counts the seconds numba holds its compiler lock, for a compile
    (or a load from the cache); a call of a function already compiled takes no lock."""

    @numba.njit(cache=False)
    def add_one(x):
        return x + 1

    with config.SetupClock() as clock:
        assert add_one(1) == 2
    assert clock.seconds > 0.0
    with config.SetupClock() as again:
        assert add_one(2) == 3
    assert again.seconds == 0.0


def test_setup_clock_leaves_out_a_span_begun_before_it_and_stops_at_its_end():
    """Another thread holds numba's compiler lock when the clock starts: the end of that
    span is not counted and does not stop the same thread's next span from counting; a
    span still running when the clock ends counts up to the end and no further."""
    from numba.core.compiler_lock import global_compiler_lock

    holding, release, released = threading.Event(), threading.Event(), threading.Event()
    again, done = threading.Event(), threading.Event()

    def other_thread():
        with global_compiler_lock:
            holding.set()
            release.wait()
        released.set()
        again.wait()
        with global_compiler_lock:  # a span of its own, begun inside the clock
            holding.set()
            done.wait()

    thread = threading.Thread(target=other_thread, daemon=True)
    thread.start()
    try:
        holding.wait()
        holding.clear()
        with config.SetupClock() as clock:
            release.set()
            released.wait()
            assert clock.seconds == 0.0  # the span that began before the clock
            again.set()
            holding.wait()
            running = clock.seconds
            assert running > 0.0  # the thread's next span, still running
        at_end = clock.seconds
        assert at_end >= running
    finally:
        release.set()
        again.set()
        done.set()
        thread.join()
    assert clock.seconds == at_end
