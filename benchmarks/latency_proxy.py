"""A loopback HTTP proxy that makes the local wiki look remote: it holds every request MS milliseconds on
its way in and every response MS milliseconds on its way out, and counts them.

Clients keep their connections to it alive (HTTP/1.1) as they would to a real wiki; a new connection costs
one round trip more (2 x MS), as a TCP handshake over that network would. PHP's server closes each
connection after one request, so the proxy opens a new loopback connection upstream per request, which
costs nothing that is measured. Serves 127.0.0.1 only, and forwards only to the wiki's own port.

Written here rather than taken from a library: what is needed is a delay and a count inside the
benchmark's own process; general proxies (proxy.py, pproxy) or Toxiproxy (a server of its own) bring far
more than that and still need code around them to count requests per page.
"""
from __future__ import annotations

import http.client
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Hop-by-hop headers: they describe one connection, not the message (RFC 9110, section 7.6.1).
_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "host",
        "content-length"}


class LatencyProxy:
    def __init__(self, upstream_port: int, latency_ms: float) -> None:
        self.upstream_port = upstream_port
        self.delay = latency_ms / 1000
        self.requests = 0
        self.connections = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"   # keep-alive towards the client

            def log_message(self, *args):   # quiet
                pass

            def setup(self):
                super().setup()
                # Headers and body leave in two writes: with Nagle's algorithm the second waits for the
                # client's delayed ACK, about 40 ms a response that no real wiki adds.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with proxy._lock:
                    proxy.connections += 1
                time.sleep(2 * proxy.delay)   # the handshake's round trip

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                with proxy._lock:
                    proxy.requests += 1
                time.sleep(proxy.delay)       # the request's way to the wiki
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=600)
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    status, reason, resp_headers = resp.status, resp.reason, resp.getheaders()
                except OSError as e:          # the wiki is down: say so, as a gateway would
                    data = f"upstream: {e}".encode()
                    status, reason, resp_headers = 502, "Bad Gateway", [("Content-Type", "text/plain")]
                finally:
                    conn.close()
                time.sleep(proxy.delay)       # the response's way back
                self.send_response(status, reason)
                for k, v in resp_headers:
                    if k.lower() not in _HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api.php"

    def __enter__(self) -> "LatencyProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Serve a loopback proxy to the local wiki that adds MS "
                                     "milliseconds each way (what benchmarks/publish.py --latency uses); "
                                     "point GMW_WIKI_PORT at the port it prints. Ctrl-C stops it.")
    parser.add_argument("--upstream", type=int, default=8080, help="the wiki's port (default 8080)")
    parser.add_argument("--latency", type=float, default=50, help="milliseconds each way (default 50)")
    args = parser.parse_args(argv)
    with LatencyProxy(args.upstream, args.latency) as proxy:
        print(f"{proxy.api} -> 127.0.0.1:{args.upstream}, {args.latency:g} ms each way", flush=True)
        try:
            proxy.thread.join()
        except KeyboardInterrupt:
            print(f"{proxy.requests} requests", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
