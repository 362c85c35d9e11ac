"""Daphne's HTTP requests, with Twisted kept out of their bodies.

Twisted's `Request` parses every POST body sent as `multipart/form-data` into `request.args`
before daphne sees it, and daphne never reads `args`: an upload was parsed twice (once here,
once by Django), and a body Twisted's parser does not take (an empty multipart, a field name
that is not ASCII) was answered by Twisted itself with an empty 400, no JSON error and no log
line (daphne issue #447, Twisted #9739). With `parsePOSTFormSubmission=False` the body goes
to Django untouched, which answers in the API's error shape."""

from __future__ import annotations


def leave_bodies_to_django() -> None:
    from daphne import http_protocol

    if getattr(http_protocol.WebRequest, "leaves_bodies_to_django", False):
        return

    class WebRequest(http_protocol.WebRequest):
        leaves_bodies_to_django = True

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("parsePOSTFormSubmission", False)
            super().__init__(*args, **kwargs)

    # HTTPFactory.buildProtocol looks the name up in its module for every connection.
    http_protocol.WebRequest = WebRequest
