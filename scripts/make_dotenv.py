"""Write `.env` with fresh random secrets for a developer's machine, once.

`make run` calls it; it never overwrites an existing `.env`. Production takes its secrets from
the real environment (see .env.example).
"""

import base64
import secrets
import sys
from pathlib import Path


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def main() -> int:
    if "--print-key" in sys.argv:
        print(new_key())
        return 0
    path = Path(__file__).resolve().parent.parent / ".env"
    if path.exists():
        return 0
    path.write_text(
        "# Made by scripts/make_dotenv.py for this machine only. Never commit it.\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"FIELD_ENCRYPTION_KEYS=k1:{new_key()}\n"
        f"BLIND_INDEX_KEY={new_key()}\n"
    )
    path.chmod(0o600)
    print(f"wrote {path} with new random keys")
    return 0


if __name__ == "__main__":
    sys.exit(main())
