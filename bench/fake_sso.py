"""A minimal SSO portal for bench/sso: GetRoleCredentials, ListAccounts and
ListAccountRoles in the restJson1 wire format, with per-request latency and every
Nth listing answered TooManyRequests. GET /stats returns the request counts.
The tests use the fuller Rust fake in tests/support/fake_sso.rs."""
import json, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from urllib.parse import urlparse, parse_qs

port, accounts, roles, latency_ms, throttle_every = (int(a) for a in sys.argv[1:6])
lock = threading.Lock()
counts = {}
listings = 0
PAGE = 20


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, error=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if error:
            self.send_header("x-amzn-ErrorType", error)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        global listings
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/stats":
            return self.answer(200, counts)
        with lock:
            counts[url.path] = counts.get(url.path, 0) + 1
            throttled = False
            if url.path.startswith("/assignment/"):
                listings += 1
                throttled = throttle_every and listings % throttle_every == 0
        time.sleep(latency_ms / 1000)
        if throttled:
            return self.answer(429, {"message": "Rate exceeded"}, "TooManyRequestsException")
        start = int(q.get("next_token", 0))
        if url.path == "/federation/credentials":
            return self.answer(200, {"roleCredentials": {
                "accessKeyId": "ASIABENCH", "secretAccessKey": "s", "sessionToken": "t",
                "expiration": int(time.time() + 3600) * 1000}})
        if url.path == "/assignment/accounts":
            ids = list(range(start, min(start + PAGE, accounts)))
            nxt = str(start + PAGE) if start + PAGE < accounts else None
            return self.answer(200, {"accountList": [
                {"accountId": f"{100000000000 + i}", "accountName": f"Account {i}"} for i in ids],
                "nextToken": nxt})
        if url.path == "/assignment/roles":
            return self.answer(200, {"roleList": [
                {"roleName": f"Role{r}", "accountId": q["account_id"]} for r in range(roles)]})
        self.answer(404, {"message": "no such operation"}, "NotFound")


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
