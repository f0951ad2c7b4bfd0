"""A copy of this checkout for tests that need to control what its `.env` says."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def checkout_with_env_file(tmp_path: Path, env_file: str | None) -> Path:
    """This checkout in tmp_path with a .env of its own (none when env_file is None): settings and
    manage.py copied (BASE_DIR is where settings.py really lies), everything else linked. A developer's
    own .env, which `bin/setup dev` writes with DEBUG=1, stays out of it."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in {".env", ".git", "symphony", "manage.py"}:
            continue
        (checkout / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "symphony", checkout / "symphony", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", checkout / "manage.py")
    if env_file is not None:
        (checkout / ".env").write_text(env_file)
    return checkout
