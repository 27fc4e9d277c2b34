"""Datasette plugin: the archive is published read-only, so every write-shaped request is refused.

Datasette 0.65 has no write API, and the database is served immutable; this closes the last
door explicitly: any request other than GET, HEAD or OPTIONS gets ``405 Method Not Allowed``
(instead of, say, a 500 from a view that does not expect a POST).
"""

from datasette import hookimpl

_ALLOWED = {"GET", "HEAD", "OPTIONS"}
_BODY = "405: this archive is published read-only (GET only); download the SQLite file to work on it.\n"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in _ALLOWED:
                await send({
                    "type": "http.response.start",
                    "status": 405,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"allow", b"GET, HEAD, OPTIONS")],
                })
                await send({"type": "http.response.body", "body": _BODY.encode("utf-8")})
                return
            await app(scope, receive, send)

        return read_only

    return wrap
