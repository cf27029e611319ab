"""Shared HTTP-over-unix-socket server for Keel's test plugins (python3 standard library only).

Every plugin takes the same misbehaviour switches, applied to the methods named by --on (default: every method but
Plugin.Activate):
  --misbehave slow     sleep --slow-seconds before answering
  --misbehave garbage  answer 200 with invalid JSON
  --misbehave crash    exit in the middle of the call, after reading the request
  --misbehave error    answer --error-status (default 500) with {"<error field>": --error-text}
  --misbehave not-http answer with a line that is not HTTP at all, then close
Each request is appended to --log as one JSON line {"method", "headers", "body"} so tests can see what was sent.
The socket appears (by rename) only once the server listens, so a client never sees a socket that refuses.

With --tcp the plugin listens on 127.0.0.1 (an ephemeral port, TLS with --tls-cert/--tls-key, client certificates
required with --tls-client-ca) and, once listening, writes its description to --socket: a .spec file with
tcp://127.0.0.1:<port>, or a .json file {Name, Addr, TLSConfig} (TLSConfig only with --json-tls, CAFile from
--json-ca-file, client CertFile/KeyFile from --json-cert-file/--json-key-file).
"""
import argparse
import json
import os
import signal
import ssl
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

PLUGIN_MEDIA_TYPE = "application/vnd.docker.plugins.v1+json"


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--socket", required=True,
                        help="unix socket path to serve on; with --tcp, the .spec or .json description to write")
    parser.add_argument("--tcp", action="store_true", help="serve on TCP 127.0.0.1 instead of a unix socket")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--tls-client-ca", help="require client certificates signed by this CA")
    parser.add_argument("--json-tls", action="store_true", help="write a TLSConfig into the .json description")
    parser.add_argument("--json-ca-file", default="")
    parser.add_argument("--json-cert-file", default="")
    parser.add_argument("--json-key-file", default="")
    parser.add_argument("--log", help="append each request as a JSON line to this file")
    parser.add_argument("--misbehave", choices=["slow", "garbage", "crash", "error", "not-http"])
    parser.add_argument("--on", action="append", default=[], help="method the misbehaviour applies to")
    parser.add_argument("--slow-seconds", type=float, default=5.0)
    parser.add_argument("--error-text", default="test plugin failure")
    parser.add_argument("--error-status", type=int, default=500)
    parser.add_argument("--chunked", action="store_true", help="answer with HTTP/1.1 chunked bodies")
    parser.add_argument("--lowercase-keys", action="store_true",
                        help="answer with every JSON field name in lower case (Go decodes them anyway)")
    return parser


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(args, implements, handlers, error_field="Err"):
    """handlers: method -> function(body dict) -> (status, answer object). Raise PluginError for an error answer."""
    log_lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if args.chunked else "HTTP/1.0"

        def log_message(self, fmt, *a):
            pass

        def do_POST(self):
            method = self.path.lstrip("/")
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw) if raw.strip() else None
            except ValueError:
                body = raw.decode("utf-8", "replace")
            if args.log:
                with log_lock, open(args.log, "a") as f:
                    f.write(json.dumps({"method": method, "headers": dict(self.headers.items()), "body": body}) + "\n")
            applies = method in args.on if args.on else method != "Plugin.Activate"
            if args.misbehave and applies:
                if args.misbehave == "slow":
                    time.sleep(args.slow_seconds)
                elif args.misbehave == "garbage":
                    return self._send(200, b'{"Mountpoint": "/tmp", oops this is not json')
                elif args.misbehave == "crash":
                    os._exit(3)
                elif args.misbehave == "not-http":
                    self.close_connection = True
                    self.wfile.write(b"SSH-2.0-OpenSSH_9.2\r\n")
                    return self.wfile.flush()
                elif args.misbehave == "error":
                    return self._json(args.error_status, {error_field: args.error_text})
            if method == "Plugin.Activate":
                return self._json(200, {"Implements": implements})
            handler = handlers.get(method)
            if handler is None:
                return self._send(404, b"404 page not found\n", "text/plain")
            try:
                status, answer = handler(body if isinstance(body, dict) else {})
            except PluginError as e:
                return self._json(e.status, {error_field: str(e)})
            return self._json(status, answer)

        def _json(self, status, obj):
            self._send(status, json.dumps(_lowercase(obj) if args.lowercase_keys else obj).encode())

        def _send(self, status, data, content_type=PLUGIN_MEDIA_TYPE):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if args.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                half = len(data) // 2
                for part in (data[:half], data[half:]):
                    if part:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            self.wfile.flush()

    staging = args.socket + ".starting"
    for path in (staging, args.socket):
        if os.path.exists(path):
            os.unlink(path)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.tcp:
        server = _tcp_server(args, Handler)
        _describe(args, staging, server.server_address[1])
    else:
        server = _Server(staging, Handler)
    os.rename(staging, args.socket)
    try:
        server.serve_forever()
    finally:
        if os.path.exists(args.socket):
            os.unlink(args.socket)


def _lowercase(obj):
    """Field names only: map keys under a Status or Data object are data, but lower-casing them is harmless here."""
    if isinstance(obj, dict):
        return {k.lower(): _lowercase(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_lowercase(v) for v in obj]
    return obj


def _tcp_server(args, handler):
    server = _TcpServer(("127.0.0.1", 0), handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.tls_client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


def _describe(args, path, port):
    address = "tcp://127.0.0.1:%d" % port
    with open(path, "w") as f:
        if path.endswith(".json.starting"):
            description = {"Name": os.path.basename(args.socket)[:-5], "Addr": address}
            if args.json_tls:
                description["TLSConfig"] = {"InsecureSkipVerify": False, "CAFile": args.json_ca_file,
                                            "CertFile": args.json_cert_file, "KeyFile": args.json_key_file}
            json.dump(description, f)
        else:
            f.write(address + "\n")


class PluginError(Exception):
    def __init__(self, message, status=500):
        super().__init__(message)
        self.status = status


def field(body, name, default=None):
    """Go-like lookup: exact name first, then ignoring case."""
    if name in body:
        return body[name]
    for key, value in body.items():
        if key.lower() == name.lower():
            return value
    return default
