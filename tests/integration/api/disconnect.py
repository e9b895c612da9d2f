#!/usr/bin/env python3
"""Stream backpressure and client disconnect: request an endless stream, read
a little, stall (the gateway must stop reading the upstream, so the fake's
chunk counter stops growing), then close; the fake upstream must observe the
close. usage: disconnect.py GW_PORT KEY FAKE_PORT"""
import json, socket, sys, time, urllib.request

gw, key, fake = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
get = lambda p: json.load(urllib.request.urlopen("http://127.0.0.1:%d%s" % (fake, p)))
body = json.dumps({"model": "endless", "messages": [{"role": "user", "content": "x"}], "stream": True}).encode()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", gw))
s.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key.encode() +
          b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
got = s.recv(4096)
began = b"200 OK" in got and b"text/event-stream" in got
time.sleep(2.5)                       # let every buffer on the way fill up
c1 = get("/__count")["endless"]
time.sleep(1.5)
c2 = get("/__count")["endless"]
stalled = c2 - c1 <= 3
s.close()
ev = []
deadline = time.time() + 10
while time.time() < deadline and not ev:
    ev = [e for e in get("/__events") if e.get("closed") == "endless"]
    time.sleep(0.2)
print("stream began:", began, "chunks during stall:", c1, "->", c2, "upstream closed:", ev)
sys.exit(0 if began and stalled and ev else 1)
