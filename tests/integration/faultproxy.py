"""A small loopback HTTP proxy in front of the test wiki that injects faults: 503s, maxlag errors, and
broken answers (a body cut short, a body that is not JSON, a connection closed without an answer).

Bounded: it serves only 127.0.0.1, injects at most the number of faults asked for, and stops with the
test. Used to show that a run waits, retries with backoff and completes, or reports an outage.
`only_if` limits the broken answers to requests whose URL or body contains that text (say, the reads
of page text), so that login and the rest go through.
"""
from __future__ import annotations

import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FaultProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.fail_503 = 0        # the next N requests get 503 Service Unavailable
        self.fail_maxlag = 0     # the next N API requests get a maxlag error
        self.fail_truncated = 0  # the next N answers are cut in the middle of the body
        self.fail_garbage = 0    # the next N answers are a 200 with a body that is not JSON
        self.fail_reset = 0      # the next N connections are closed without an answer
        self.only_if: str | None = None   # broken answers only for requests containing this text
        self.pass_first = 0      # ... and only after this many such requests went through
        self.start_after = 0     # let this many requests through first (start-up, login)
        self.seen = 0
        self.injected = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):   # quiet
                pass

            def _fault(self) -> bool:
                with proxy._lock:
                    proxy.seen += 1
                    if proxy.seen <= proxy.start_after:
                        return False
                    if proxy.fail_503 > 0:
                        proxy.fail_503 -= 1
                        proxy.injected += 1
                        self.send_response(503)
                        self.send_header("Retry-After", "1")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return True
                    if proxy.fail_maxlag > 0:
                        proxy.fail_maxlag -= 1
                        proxy.injected += 1
                        body = json.dumps({"error": {"code": "maxlag", "info": "Waiting for 127.0.0.1: 3 seconds lagged.",
                                                     "host": "127.0.0.1", "lag": 3}}).encode()
                        self.send_response(200)
                        self.send_header("Retry-After", "1")
                        self.send_header("X-Database-Lag", "3")
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                        return True
                return False

            def _broken(self, body: bytes | None) -> str | None:
                """Which broken answer this request gets, if any (and count it)."""
                with proxy._lock:
                    if proxy.only_if and proxy.only_if not in self.path + (body or b"").decode("latin-1"):
                        return None
                    if proxy.pass_first > 0:
                        proxy.pass_first -= 1
                        return None
                    for kind in ("fail_truncated", "fail_garbage", "fail_reset"):
                        if getattr(proxy, kind) > 0:
                            setattr(proxy, kind, getattr(proxy, kind) - 1)
                            proxy.injected += 1
                            return kind
                return None

            def _forward(self, method: str) -> None:
                if self._fault():
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                broken = self._broken(body)
                if broken == "fail_reset":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if broken == "fail_garbage":
                    junk = b'{"batchcomplete": true, "query": {"pages": [{"title": "'
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(junk)))
                    self.end_headers()
                    self.wfile.write(junk)
                    return
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                conn.request(method, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if broken == "fail_truncated":      # promised in full, cut in the middle
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                else:
                    self.wfile.write(data)
                conn.close()

            def do_GET(self):
                self._forward("GET")

            def do_POST(self):
                self._forward("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "FaultProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
