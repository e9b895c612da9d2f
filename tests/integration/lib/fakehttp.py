"""fakehttp — the small stdlib base of the integration fakes (tests/integration/*/fake*.py).

A fake imports it from its folder with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import fakehttp
subclasses fakehttp.Handler (HTTP/1.1 keep-alive, no access log) for its
routes, and ends with fakehttp.serve(H, PORTFILE): a threaded server on an
ephemeral 127.0.0.1 port whose number is written to PORTFILE (atomically: the
shell waits for the file to be non-empty).

Shared state: LOG (the requests a fake records, served by send_log() as
GET /__log usually is) and LOCK (guards LOG and whatever else a fake keeps).
Raw-socket fakes use write_port_file and pipe only."""
import json
import os
import select
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = []
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    # ---- reading ---------------------------------------------------------------
    def read_body(self):
        """The request body (Content-Length; b"" without one)."""
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def headers_lower(self):
        return {k.lower(): v for k, v in self.headers.items()}

    def record(self, **fields):
        """Append one record (the given fields, as they are) to LOG."""
        with LOCK:
            LOG.append(fields)

    # ---- answers -----------------------------------------------------------------
    # send_* return True ("handled"), so a route can `return self.send_json(...)`;
    # a client that went away meanwhile (a gateway timeout or cancel) is not an error.
    def send_raw(self, status, ctype, data, extra=None):
        """A whole answer: Content-Type (none when ctype is None), Content-Length, extra headers."""
        try:
            self.send_response(status)
            if ctype is not None:
                self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return True

    def send_json(self, status, obj, extra=None):
        return self.send_raw(status, "application/json", json.dumps(obj).encode(), extra)

    def send_log(self, obj=None):
        """200 with LOG (or obj) as JSON, serialised under LOCK."""
        with LOCK:
            data = json.dumps(LOG if obj is None else obj).encode()
        return self.send_raw(200, "application/json", data)

    # ---- chunked streams (SSE and others) ------------------------------------------
    def stream_begin(self, ctype="text/event-stream", extra=None):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data):
        """One chunk of a chunked body, flushed (empty data writes nothing: it would end the body)."""
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def sse(self, obj):
        """One SSE event "data: <obj as JSON>" in its own chunk."""
        self.chunk(b"data: " + json.dumps(obj).encode() + b"\n\n")

    def stream_end(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        return True


def form_parts(ctype, raw):
    """A multipart/form-data body simply split, without validation (routes/fake.py has
    a strict reader): (fields {name: str}, the file part's bytes or None, its filename
    or None); None when ctype is not "multipart/form-data; boundary=..."."""
    if not ctype.startswith("multipart/form-data; boundary="):
        return None
    bnd = ctype.split("boundary=", 1)[1].strip('"').encode()
    fields, data, fname = {}, None, None
    for part in raw.split(b"--" + bnd)[1:-1]:
        head, _, val = part[2:].partition(b"\r\n\r\n")
        val = val[:-2]
        h = head.decode()
        name = h.split('name="', 1)[1].split('"', 1)[0]
        if 'filename="' in h:
            fname = h.split('filename="', 1)[1].split('"', 1)[0]
            data = val
        else:
            fields[name] = val.decode()
    return fields, data, fname


def write_port_file(path, text):
    """Write text to path atomically (a .tmp file renamed)."""
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def start(handler, port_file, host="127.0.0.1"):
    """A threaded server for handler on an ephemeral port, the port written to port_file."""
    srv = ThreadingHTTPServer((host, 0), handler)
    srv.daemon_threads = True
    write_port_file(port_file, str(srv.server_address[1]))
    return srv


def serve(handler, port_file, host="127.0.0.1"):
    """start() and serve forever."""
    start(handler, port_file, host).serve_forever()


def pipe(a, b, idle=60):
    """Relay bytes both ways between sockets a and b until one closes, fails or
    both stay silent for idle seconds."""
    socks = [a, b]
    while True:
        rd, _, _ = select.select(socks, [], [], idle)
        if not rd:
            return
        for s in rd:
            try:
                d = s.recv(65536)
                if not d:
                    return
                (b if s is a else a).sendall(d)
            except OSError:
                return
