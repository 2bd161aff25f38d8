"""Build the Activation Lab desktop bundle with PyInstaller, then archive it.

Usage::

    python packaging/build.py [--no-archive] [--no-clean]

Output: ``packaging/dist/activation-lab/`` (one-folder bundle; plus ``Activation Lab.app`` on
macOS) and ``packaging/dist/activation-lab-<version>-<os>-<arch>.tar.gz`` (``.zip`` on
Windows). Work files go to ``packaging/build/``. Exits non-zero if anything fails.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "activation_lab.spec"
WORK = HERE / "build"
DIST = HERE / "dist"
NAME = "activation-lab"


def version() -> str:
    text = (ROOT / "core" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not m:
        raise SystemExit("build: no __version__ in core/__init__.py")
    return m.group(1)


def platform_tag() -> str:
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform,
                                                                          sys.platform)
    machine = platform.machine().lower().replace("amd64", "x86_64").replace("aarch64", "arm64")
    return f"{system}-{machine}"


def size_mib(path: Path) -> float:
    """Bytes of all regular files under ``path`` (not following symlinks), in MiB."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            p = Path(dirpath, f)
            if not p.is_symlink():
                total += p.stat().st_size
    return total / 2**20


def run_pyinstaller(clean: bool) -> None:
    cmd = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm",
           "--workpath", str(WORK), "--distpath", str(DIST), "--log-level", "WARN"]
    if clean:
        cmd.append("--clean")
    print("build:", " ".join(cmd), flush=True)
    t0 = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"build: PyInstaller failed (exit code {result.returncode})")
    print(f"build: PyInstaller took {time.perf_counter() - t0:.0f} s", flush=True)


def make_archive(bundle: Path) -> Path:
    """tar.gz of the bundle folder (zip on Windows); on macOS the .app is archived."""
    base = DIST / f"{NAME}-{version()}-{platform_tag()}"
    if sys.platform == "darwin" and (DIST / "Activation Lab.app").is_dir():
        bundle = DIST / "Activation Lab.app"
    if sys.platform == "win32":
        out = base.with_suffix(".zip")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for p in sorted(bundle.rglob("*")):
                zf.write(p, p.relative_to(bundle.parent))
    else:
        out = Path(f"{base}.tar.gz")
        with tarfile.open(out, "w:gz", compresslevel=6) as tf:
            tf.add(bundle, arcname=bundle.name)  # keeps symlinks (macOS frameworks)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Build the Activation Lab bundle with PyInstaller.")
    p.add_argument("--no-archive", action="store_true", help="skip the .tar.gz / .zip")
    p.add_argument("--no-clean", action="store_true",
                   help="reuse PyInstaller's cache in packaging/build (faster rebuilds)")
    args = p.parse_args(argv)
    if sys.version_info < (3, 12):  # noqa: UP036 - a guard for users of an older python
        raise SystemExit("build: needs Python 3.12+ (PySide6 6.12 is unsafe on 3.11)")
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit("build: PyInstaller is missing; run: "
                         "pip install -c packaging/constraints.txt -e '.[package]'") from None

    for old in DIST.glob(f"{NAME}-*.*"):  # stale archives from earlier versions
        old.unlink()
    run_pyinstaller(clean=not args.no_clean)

    bundle = DIST / NAME
    exe = bundle / (f"{NAME}.exe" if sys.platform == "win32" else NAME)
    if not exe.is_file():
        raise SystemExit(f"build: PyInstaller finished but {exe} is missing")
    print(f"build: bundle {bundle.relative_to(ROOT)}: {size_mib(bundle):.1f} MiB", flush=True)
    if not args.no_archive:
        out = make_archive(bundle)
        print(f"build: archive {out.relative_to(ROOT)}: {out.stat().st_size / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except OSError as e:
        print(f"build: {e}", file=sys.stderr)
        sys.exit(1)
