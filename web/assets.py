"""Static files with content-hashed URLs, long-lived caching and gzip (issue 21).

Templates link every static file through `static_url(name)`, which appends `?v=<hash of the
bytes>`; an answer to such a URL may be kept for a year without asking again, since a changed
file gets a new URL. A URL without (or with an old) hash is kept but revalidated (ETag). Text
files are sent gzipped to clients that accept it, compressed once per file version, in memory.
"""

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread
from starlette.datastructures import Headers, QueryParams
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".map", ".txt", ".html"}
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Version:
    """One version of a static file: what identifies it on disk, and the hash of its bytes."""

    mtime_ns: int
    size: int
    digest: str


def accepts_gzip(headers: Headers) -> bool:
    """True when the request's Accept-Encoding admits gzip (a `q=0` refuses it)."""
    for coding in headers.get("accept-encoding", "").split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip().removeprefix("q=").strip() if params else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


class Assets(StaticFiles):
    """StaticFiles that knows each file's content hash and keeps its gzipped bytes."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory)
        self.root = directory
        self._versions: dict[Path, Version] = {}
        self._gzipped: dict[tuple[Path, str], bytes] = {}

    def version(self, path: Path) -> Version:
        """The file's current version; its bytes are hashed once per change on disk.

        A stat per call (microseconds) rather than hashing once at start-up, so that a file
        edited under a running development server is not served under its old hash.
        """
        stat = path.stat()
        known = self._versions.get(path)
        if known is None or (known.mtime_ns, known.size) != (stat.st_mtime_ns, stat.st_size):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
            known = Version(stat.st_mtime_ns, stat.st_size, digest)
            self._versions[path] = known
        return known

    def url(self, name: str) -> str:
        """The URL of static file `name` (relative to the static folder) with its hash."""
        return f"/static/{name}?v={self.version(self.root / name).digest}"

    def gzipped(self, path: Path, version: Version) -> bytes:
        """The file's bytes gzipped, compressed once per version."""
        key = (path, version.digest)
        if key not in self._gzipped:
            self._gzipped = {k: v for k, v in self._gzipped.items() if k[0] != path}
            self._gzipped[key] = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
        return self._gzipped[key]

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Starlette's answer (404, 405, 304 by ETag, the file) with caching and gzip added."""
        response = await super().get_response(path, scope)
        if response.status_code not in (200, 304):
            return response
        full_path = self.root / path
        version = await anyio.to_thread.run_sync(self.version, full_path)
        hashed = QueryParams(scope["query_string"]).get("v") == version.digest
        response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
        if full_path.suffix not in COMPRESSIBLE:
            return response
        response.headers["Vary"] = "Accept-Encoding"
        if response.status_code == 304 or not accepts_gzip(Headers(scope=scope)):
            return response
        body = await anyio.to_thread.run_sync(self.gzipped, full_path, version)
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        headers["content-encoding"] = "gzip"
        # Another representation, so a weak tag (as nginx does); Starlette's validator strips
        # the W/ and answers 304 to either.
        headers["etag"] = "W/" + response.headers["etag"]
        return Response(body, headers=headers, media_type=response.media_type)


ASSETS = Assets(STATIC)
