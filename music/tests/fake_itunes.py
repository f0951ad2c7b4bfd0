"""A local stand-in for the iTunes Search API, in its documented shape, for tests and the benchmark.

    with FakeItunes() as fake:                      # binds 127.0.0.1 on a port the OS picks
        fake.add("Adele", "Hello", trackTimeMillis=295000)
        fake.script("hello", ("status", 429, "0"), ("ok",))   # the next answers for terms containing "hello"
        call_command("enrich_catalog", base_url=fake.url, rate=0)

`GET /search?term=…&entity=song` answers `{"resultCount": n, "results": [...]}` with every track
whose artist, title and album words contain all the words of the term (the real service matches
the term against those fields too). Scripted answers: ("status", code[, retry_after]),
("body", bytes), ("timeout", seconds) and ("ok",) for the normal answer.
"""

import json
import re
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def _words(text: str) -> set[str]:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return set(re.findall(r"\w+", text))


class FakeItunes:
    def __init__(self):
        self.tracks: list[dict] = []
        self.requests: list[tuple[float, dict]] = []  # (monotonic time, query)
        self.scripts: list[tuple[str, list[tuple]]] = []
        self.always: tuple | None = None  # an answer for every request (e.g. ("timeout", 1))
        self.latency = 0.0  # seconds each answer waits, like a round trip to the real service
        self._next_id = 1_440_000_000
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/search"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def add(self, artist: str, title: str, *, seconds: float = 200, preview: bool = True, **fields) -> dict:
        """A song in the documented result shape; `fields` override any key."""
        self._next_id += 1
        track_id = self._next_id
        track = {
            "wrapperType": "track", "kind": "song", "artistId": 900 + len(self.tracks), "collectionId": track_id - 1,
            "trackId": track_id, "artistName": artist, "collectionName": fields.pop("collectionName", f"{title} - Single"),
            "trackName": title, "collectionCensoredName": title, "trackCensoredName": title,
            "artistViewUrl": f"https://music.apple.com/us/artist/a/{900 + len(self.tracks)}?uo=4",
            "collectionViewUrl": f"https://music.apple.com/us/album/x/{track_id - 1}?i={track_id}&uo=4",
            "trackViewUrl": f"https://music.apple.com/us/album/x/{track_id - 1}?i={track_id}&uo=4",
            "previewUrl": f"https://audio-ssl.itunes.apple.com/itunes-assets/AudioPreview/{track_id}.plus.aac.p.m4a",
            "artworkUrl30": f"https://is1-ssl.mzstatic.com/image/thumb/Music/{track_id}/30x30bb.jpg",
            "artworkUrl60": f"https://is1-ssl.mzstatic.com/image/thumb/Music/{track_id}/60x60bb.jpg",
            "artworkUrl100": f"https://is1-ssl.mzstatic.com/image/thumb/Music/{track_id}/100x100bb.jpg",
            "collectionPrice": 1.29, "trackPrice": 1.29, "releaseDate": "2015-10-23T07:00:00Z",
            "collectionExplicitness": "notExplicit", "trackExplicitness": "notExplicit", "discCount": 1,
            "discNumber": 1, "trackCount": 1, "trackNumber": 1, "trackTimeMillis": int(seconds * 1000),
            "country": "USA", "currency": "USD", "primaryGenreName": "Pop", "isStreamable": True,
        }  # fmt: skip
        if not preview:
            del track["previewUrl"]
        track.update(fields)
        self.tracks.append(track)
        return track

    def script(self, term_word: str, *answers: tuple) -> None:
        """The next answers for requests whose term contains `term_word`, in order, then normal ones."""
        self.scripts.append((term_word.casefold(), list(answers)))

    def _answer_for(self, term: str) -> tuple:
        with self._lock:
            if self.always:
                return self.always
            for word, answers in self.scripts:
                if word in term.casefold() and answers:
                    return answers.pop(0)
        return ("ok",)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlparse(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.requests.append((time.monotonic(), query))
        if parts.path != "/search":
            return self._send(handler, 404, b'{"errorMessage":"Invalid request"}')
        term = query.get("term", "")
        if self.latency:
            time.sleep(self.latency)
        answer = self._answer_for(term)
        if answer[0] == "timeout":
            time.sleep(answer[1])
            answer = ("ok",)
        if answer[0] == "status":
            headers = {"Retry-After": answer[2]} if len(answer) > 2 else {}
            return self._send(handler, answer[1], b"", headers)
        if answer[0] == "body":
            return self._send(handler, 200, answer[1])
        wanted = _words(term)
        results = [
            t for t in self.tracks if wanted <= _words(f"{t['artistName']} {t['trackName']} {t['collectionName']}")
        ][: int(query.get("limit", 50))]
        body = json.dumps({"resultCount": len(results), "results": results}).encode()
        self._send(handler, 200, body)

    @staticmethod
    def _send(handler, status: int, body: bytes, headers: dict | None = None) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "text/javascript; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)
