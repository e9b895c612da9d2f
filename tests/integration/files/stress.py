#!/usr/bin/env python3
"""Helpers of tests/integration/files.sh (python3 stdlib, loopback only).

  stress.py upload URL KEY ACKS SECONDS THREADS
      Upload self-checking files (payload + "\n" + sha256(payload) hex) as
      multipart/form-data from THREADS threads for at most SECONDS (or until
      the gateway is gone); every id answered with 200 is appended to ACKS as
      a JSON line {id, sha256, bytes}. Prints "uploads: N acknowledged".
  stress.py verify URL KEY ACKS
      After a restart: every acknowledged id is listed and its content is
      byte-identical; every listed stress file (stress-N.bin) is complete
      (its trailing sha256 matches, its size is the listed size). Prints "ok ..."/"FAIL ..." lines
      and "N passed, N failed".
  stress.py abort URL KEY COUNT
      COUNT uploads whose client hangs up right after sending (the gateway
      must cancel the store work safely), then one normal upload.
      Prints "ok ..."/"FAIL ..." and "N passed, N failed".
"""
import hashlib, http.client, json, os, random, socket, sys, threading, time, urllib.parse


def target(url):
    u = urllib.parse.urlparse(url)
    return u.hostname, u.port


def form(payload, name):
    b = "----files-it-%016x" % random.getrandbits(64)
    body = (("--%s\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n" % b).encode() +
            ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n" % (b, name)).encode() +
            payload + ("\r\n--%s--\r\n" % b).encode())
    return body, "multipart/form-data; boundary=" + b


def self_checking(size):
    p = os.urandom(size)
    return p + b"\n" + hashlib.sha256(p).hexdigest().encode()


def complete(data):
    return len(data) > 65 and hashlib.sha256(data[:-65]).hexdigest().encode() == data[-64:]


def request(url, key, method, path, body=None, ctype=None, timeout=10):
    h, p = target(url)
    c = http.client.HTTPConnection(h, p, timeout=timeout)
    hd = {"Authorization": "Bearer " + key}
    if ctype:
        hd["Content-Type"] = ctype
    c.request(method, path, body=body, headers=hd)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data


def upload(url, key, acks, seconds, threads):
    lock = threading.Lock()
    end = time.time() + seconds
    count = [0]
    out = open(acks, "a")

    def worker(n):
        rnd = random.Random(n)
        while time.time() < end:
            data = self_checking(rnd.randint(1, 150000))
            body, ct = form(data, "stress-%d.bin" % n)
            try:
                st, resp = request(url, key, "POST", "/v1/files", body, ct)
            except (OSError, http.client.HTTPException):
                return  # the gateway is gone
            if st != 200:
                print("unexpected status %d: %s" % (st, resp[:200]), file=sys.stderr)
                continue
            fid = json.loads(resp)["id"]
            with lock:
                out.write(json.dumps({"id": fid, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}) + "\n")
                out.flush()
                count[0] += 1

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.close()
    print("uploads: %d acknowledged" % count[0])


class Tally:
    def __init__(self):
        self.p = self.f = 0

    def ok(self, n):
        self.p += 1
        print("ok " + n)

    def fail(self, n, why):
        self.f += 1
        print("FAIL %s: %s" % (n, why))

    def done(self):
        print("%d passed, %d failed" % (self.p, self.f))
        sys.exit(1 if self.f else 0)


def verify(url, key, acks):
    t = Tally()
    acked = [json.loads(l) for l in open(acks) if l.strip()]
    st, body = request(url, key, "GET", "/v1/files", timeout=30)
    listed = {f["id"]: f for f in json.loads(body)["data"]} if st == 200 else {}
    if st == 200:
        t.ok("list after the restart (%d files, %d acknowledged)" % (len(listed), len(acked)))
    else:
        t.fail("list after the restart", "status %d" % st)
    missing = [a["id"] for a in acked if a["id"] not in listed]
    if missing:
        t.fail("every acknowledged file is listed", "%d missing, e.g. %s" % (len(missing), missing[:3]))
    else:
        t.ok("every acknowledged file is listed")
    bad = []
    for a in acked:
        if a["id"] not in listed:
            continue
        st, data = request(url, key, "GET", "/v1/files/%s/content" % a["id"], timeout=30)
        if st != 200 or hashlib.sha256(data).hexdigest() != a["sha256"] or len(data) != a["bytes"]:
            bad.append(a["id"])
    if bad:
        t.fail("acknowledged contents are byte-identical", "%d differ, e.g. %s" % (len(bad), bad[:3]))
    else:
        t.ok("acknowledged contents are byte-identical")
    ackd = {a["id"] for a in acked}
    half = []
    extra = 0
    for fid, f in listed.items():
        if fid in ackd or not f["filename"].startswith("stress-"):
            continue
        extra += 1
        st, data = request(url, key, "GET", "/v1/files/%s/content" % fid, timeout=30)
        if st != 200 or len(data) != f["bytes"] or not complete(data):
            half.append(fid)
    if half:
        t.fail("no half file is visible", "%d incomplete: %s" % (len(half), half[:3]))
    else:
        t.ok("no half file is visible (%d stored but unacknowledged, all complete)" % extra)
    t.done()


def abort(url, key, count):
    t = Tally()
    h, p = target(url)
    for i in range(count):
        body, ct = form(self_checking(200000 + i), "abort.bin")
        s = socket.create_connection((h, p), timeout=5)
        head = ("POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\n\r\n" % (key, ct, len(body))).encode()
        try:
            s.sendall(head + body)
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()
        if i % 10 == 9:
            time.sleep(0.05)
    time.sleep(0.5)
    data = self_checking(1000)
    body, ct = form(data, "after.bin")
    try:
        st, resp = request(url, key, "POST", "/v1/files", body, ct)
        fid = json.loads(resp)["id"] if st == 200 else None
        st2, got = request(url, key, "GET", "/v1/files/%s/content" % fid) if fid else (0, b"")
        if st == 200 and st2 == 200 and got == data:
            t.ok("after %d aborted uploads the gateway still stores files" % count)
        else:
            t.fail("after aborted uploads", "status %d / %d" % (st, st2))
    except OSError as e:
        t.fail("after aborted uploads", "gateway gone: %s" % e)
    t.done()


def main():
    cmd = sys.argv[1]
    if cmd == "upload":
        upload(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), int(sys.argv[6]))
    elif cmd == "verify":
        verify(sys.argv[2], sys.argv[3], sys.argv[4])
    elif cmd == "abort":
        abort(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
