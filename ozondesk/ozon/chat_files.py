"""Files in buyer chats: sending one (``/v1/chat/send/file``) and reading incoming images.

Limits. The spec of ``/v1/chat/send/file`` documents no size or type limit; the fake server's
(and the client's) request bodies are capped at 1 MB, so the desk sends files up to
:data:`MAX_FILE_BYTES` (base64 grows them by a third) and only the kinds a buyer's phone
opens: images and PDF (:data:`ALLOWED_TYPES`). Everything else is refused before it is queued.

Incoming images are read by ``ozondesk.domain.chat_images``.
"""

from __future__ import annotations

import base64
from pathlib import PurePath

from ozondesk.ozon import errors as E
from ozondesk.ozon.client import OzonClient

SEND_FILE_PATH = "/v1/chat/send/file"
MAX_FILE_BYTES = 700 * 1024
ALLOWED_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
}
MAX_NAME = 200

def file_problem(name: str, size: int) -> str | None:
    """Why a file cannot be sent, as an English msgid to translate, or None when it can."""
    suffix = PurePath(name).suffix.lower()
    if not name.strip() or len(name) > MAX_NAME:
        return "bad-name"
    if suffix not in ALLOWED_TYPES:
        return "bad-type"
    if size <= 0:
        return "empty"
    if size > MAX_FILE_BYTES:
        return "too-large"
    return None


def send_file(client: OzonClient, chat_id: str, name: str, content: bytes) -> None:
    """Not idempotent: retried only when Ozon certainly did not get it (see the outbox)."""
    body = {
        "chat_id": chat_id,
        "name": name,
        "base64_content": base64.b64encode(content).decode("ascii"),
    }
    data = client.post(SEND_FILE_PATH, body, idempotent=False)
    if str(data.get("result", "")).lower() != "success":
        raise E.MalformedResponse(
            f"unexpected answer {data!r:.100}", status=200, path=SEND_FILE_PATH
        )
