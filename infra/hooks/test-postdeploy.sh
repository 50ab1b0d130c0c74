#!/usr/bin/env bash
# Checks that postdeploy.sh really waits for a 2xx from /api/health (a server answering 503 twice, then 200) and fails
# when the app never becomes healthy. azd is replaced by a stub that only prints. Run by test.sh.
set -euo pipefail
hooks="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"; port=$((20000 + RANDOM % 10000))
python3 - "$port" <<'PY' & server=$!
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    n = 0
    def do_GET(self):
        H.n += 1; self.send_response(503 if H.n < 3 else 200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
printf '#!/bin/sh\necho "azd $*" >>"%s/azd.log"\n' "$work" >"$work/azd"; chmod +x "$work/azd"
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
PATH="$work:$PATH" SERVICE_API_URI="http://127.0.0.1:$port" POSTDEPLOY_HEALTH_INTERVAL=0 sh "$hooks/postdeploy.sh" >"$work/out.txt" 2>&1
[ "$(grep -c 'waiting for' "$work/out.txt")" -eq 2 ] || { echo "FAIL postdeploy did not wait through two 503s"; cat "$work/out.txt"; exit 1; }
grep -q 'azd provision --no-prompt' "$work/azd.log" || { echo "FAIL postdeploy did not run the second provision"; exit 1; }
if PATH="$work:$PATH" SERVICE_API_URI="http://127.0.0.1:1" POSTDEPLOY_HEALTH_INTERVAL=0 POSTDEPLOY_HEALTH_ATTEMPTS=2 sh "$hooks/postdeploy.sh" >/dev/null 2>&1; then
  echo "FAIL postdeploy succeeded although the app never answered"; exit 1
fi
echo "ok   postdeploy hook waits for a 2xx from /api/health and fails when none comes"
