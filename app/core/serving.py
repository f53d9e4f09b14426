"""Request bodies of known length read straight from the socket under gunicorn (its ``pre_request`` hook, set in
the repository's gunicorn.conf.py).

gunicorn's own reader hands a body over through two layers of buffers (its Body and the socket's read-ahead), each
copying what it holds on every read: for a 100 MB upload, about a third of the worker's CPU and 90,000 page faults.
`LengthBody` serves the same ``wsgi.input`` calls from the socket itself: ``readinto`` receives into the caller's
buffer, ``read`` returns what ``recv`` gave, and neither reads a byte past the end of the body, so the next request
on a kept-alive connection starts where gunicorn expects it. Requests without a body, bodies sent chunked, and
requests gunicorn does not read from a socket (HTTP/2) keep gunicorn's reader.
"""

from __future__ import annotations

from gunicorn.http.body import LengthReader
from gunicorn.http.unreader import SocketUnreader

#: Largest single ``recv`` for ``read``: what one call may allocate, whatever size the application asks for.
BLOCK = 1024 * 1024
#: Bytes taken at a time while looking for the end of a line (``readline`` is for small bodies).
LINE_STEP = 8192


class LengthBody:
    """``wsgi.input`` for a body of Content-Length bytes: the bytes gunicorn already read past the headers, then
    the socket, never past the body's end."""

    def __init__(self, sock, ahead: bytes, length: int):
        self._sock = sock
        self._ahead = ahead  # received already (with the headers, or pushed back by readline)
        self._left = length - len(ahead)  # still in the socket
        #: Set when the client hung up or the socket failed before the end: gunicorn then closes the connection
        #: instead of looking for another request on it.
        self.failed = False

    @property
    def remaining(self) -> int:
        """Bytes of the body not yet handed to the application."""
        return len(self._ahead) + max(self._left, 0)

    def readinto(self, buffer) -> int:
        """Fill `buffer` with the next bytes of the body (fewer only at its end, or if the client hung up)."""
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and self.remaining:
            if self._ahead:
                count = min(len(view) - filled, len(self._ahead))
                view[filled:filled + count] = self._ahead[:count]
                self._ahead = self._ahead[count:]
            else:
                count = self._received(self._sock.recv_into, view[filled:filled + min(len(view) - filled,
                                                                                     self._left)])
                if not count:
                    break
            filled += count
        return filled

    def read(self, size: int | None = -1) -> bytes:
        """The next `size` bytes of the body (all that is left if None or negative), fewer only at its end."""
        size = self.remaining if size is None or size < 0 else min(size, self.remaining)
        chunks = []
        while size > 0 and (chunk := self._take(size)):
            chunks.append(chunk)
            size -= len(chunk)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def readline(self, size: int | None = -1) -> bytes:
        """The body up to and including the next line feed, at most `size` bytes."""
        limit = self.remaining if size is None or size < 0 else min(size, self.remaining)
        line = b""
        while len(line) < limit and (chunk := self._take(min(limit - len(line), LINE_STEP))):
            end = chunk.find(b"\n") + 1
            if end:
                line += chunk[:end]
                self._ahead = chunk[end:] + self._ahead  # what followed the line is read next
                break
            line += chunk
        return line

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        """The lines of what is left of the body."""
        return list(self)

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def _take(self, size: int) -> bytes:
        """At most `size` bytes: from what was received already, else from one ``recv``; empty at the end."""
        if self._ahead:
            piece, self._ahead = self._ahead[:size], self._ahead[size:]
            return piece
        if self._left <= 0:
            return b""
        return self._received(self._sock.recv, min(size, self._left, BLOCK))

    def _received(self, receive, into):
        """One call to the socket, counted against the body; a hang-up or an error marks the body failed."""
        try:
            got = receive(into)
        except BaseException:
            self.failed = True
            raise
        count = got if isinstance(got, int) else len(got)
        if not count:
            self.failed = True  # the client closed the connection before the end of the body
        self._left -= count
        return got


def read_body_from_socket(req) -> None:
    """Give a gunicorn request whose body has a Content-Length a `LengthBody` as its ``wsgi.input``; other
    requests (no body, chunked, HTTP/2, a body already being read) keep gunicorn's reader."""
    body = getattr(req, "body", None)
    reader = getattr(body, "reader", None)
    if not isinstance(reader, LengthReader) or not isinstance(reader.unreader, SocketUnreader) or body.buf.tell():
        return
    if not reader.length:  # a GET: nothing to gain, and no work added to the requests that are most of them
        return
    unreader, length = reader.unreader, reader.length
    ahead = unreader.take_buffered()
    if len(ahead) > length:  # the start of a pipelined request: it stays for gunicorn's parser
        unreader.unread(ahead[length:])
        ahead = ahead[:length]
    req.body = LengthBody(unreader.sock, ahead, length)
