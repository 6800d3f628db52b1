"""A file an officer uploads, previews and then confirms (the figures import and
the set-up workbook): the form that takes it, and its wait between the preview
and the confirmation.

The file waits in the user's session (base64, with its sha256 and the plan's
fingerprint) under a random token: confirming reads it back only with that
token and the same bytes, re-plans, and the caller refuses unless the plan is
the one previewed. A later preview replaces it; confirming or refusing ends it.
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass

from django import forms
from django.utils.crypto import constant_time_compare

from . import importing

EXPIRED = "This preview has expired or was replaced by another: upload the file again."
DAMAGED = "The stored file is damaged: upload it again."


class UploadForm(forms.Form):
    """One file, no larger than the import's limit. `verb` names what is done
    with it in the size message ('imported', 'uploaded')."""

    verb = "uploaded"
    file = forms.FileField()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.max_bytes():
            raise forms.ValidationError(
                f"The file is {importing.size_text(upload.size)}: the largest file that can be "
                f"{self.verb} is {importing.size_text(importing.max_bytes())}."
            )
        return upload

    def content(self) -> bytes:
        return self.cleaned_data["file"].read(importing.max_bytes() + 1)


def file_errors(form, refusal: str = "") -> dict:
    """The upload page's errors: the form's own and a refusal of the file, beside
    the file field and in the error summary."""
    errors = list(form.errors.get("file", [])) + ([refusal] if refusal else [])
    return {"file_errors": errors, "error_summary": [("id_file", error) for error in errors]}


def keep(request, key: str, plan, content: bytes) -> str:
    """Keep the previewed file for its confirmation when it can be written; the
    token the confirm form sends back ('' when nothing is kept)."""
    if not plan.can_apply:
        request.session.pop(key, None)
        return ""
    token = secrets.token_urlsafe(24)
    request.session[key] = {
        "token": token,
        "filename": plan.filename,
        "sha256": plan.sha256,
        "fingerprint": plan.fingerprint,
        "content": base64.b64encode(content).decode("ascii"),
    }
    return token


@dataclass(frozen=True)
class Kept:
    content: bytes
    filename: str
    sha256: str
    fingerprint: str


class NotKept(Exception):
    """No file waits under that token, or it is not the file that was previewed."""


def take(request, key: str) -> Kept:
    """The file kept under the token the request sends; `NotKept` (with the
    message for the page) otherwise."""
    stored = request.session.get(key)
    token = request.POST.get("token", "")
    if not stored or not token or not constant_time_compare(stored["token"], token):
        raise NotKept(EXPIRED)
    content = base64.b64decode(stored["content"])
    if hashlib.sha256(content).hexdigest() != stored["sha256"]:
        request.session.pop(key, None)
        raise NotKept(DAMAGED)
    return Kept(content, stored["filename"], stored["sha256"], stored["fingerprint"])


def done(request, key: str) -> None:
    request.session.pop(key, None)
