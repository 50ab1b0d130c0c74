# Sourced by test.sh and bench/run.sh: starts Azurite on free loopback ports with a throw-away data folder,
# exports its connection string as AZURITE_CONNECTION_STRING, its pid as AZURITE_PID (all of them: AZURITE_PIDS) and the folder as
# AZURITE_DATA, and stops it (and removes the folder) when the calling script exits.
# AZURITE_IN_MEMORY=1 (bench/run.sh): keep Azurite's data in memory only. Azurite otherwise re-serialises its whole
# metadata database to JSON on disk every few seconds, which at hundreds of cases costs more CPU than the requests.
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
_blob=$(free_port); _queue=$(free_port); _table=$(free_port)
AZURITE_DATA=$(mktemp -d -t imr-azurite-XXXXXX)
# (Azurite refuses --location together with --inMemoryPersistence; the folder still holds its log.)
if [ -n "${AZURITE_IN_MEMORY:-}" ]; then _persistence=(--inMemoryPersistence); else _persistence=(--location "$AZURITE_DATA"); fi
# AZURITE_SPLIT=1 (bench/run.sh): one process per service (blob, queue, table), as Azure's are separate services; one
# Node process runs all three on a single thread. AZURITE_PIDS lists the processes; AZURITE_PID is the table's (or the one).
_common=(--silent --disableTelemetry "${_persistence[@]}" --skipApiVersionCheck --loose)
_start_azurite() {
  if [ -n "${AZURITE_SPLIT:-}" ]; then
    node_modules/.bin/azurite-blob "${_common[@]}" --blobHost 127.0.0.1 --blobPort "$_blob" >>"$AZURITE_DATA/azurite-blob.log" 2>&1 &
    AZURITE_PIDS="$!"
    node_modules/.bin/azurite-queue "${_common[@]}" --queueHost 127.0.0.1 --queuePort "$_queue" >>"$AZURITE_DATA/azurite-queue.log" 2>&1 &
    AZURITE_PIDS="$AZURITE_PIDS $!"
    node_modules/.bin/azurite-table "${_common[@]}" --tableHost 127.0.0.1 --tablePort "$_table" >>"$AZURITE_DATA/azurite-table.log" 2>&1 &
    AZURITE_PID=$!
    AZURITE_PIDS="$AZURITE_PIDS $AZURITE_PID"
  else
    node_modules/.bin/azurite "${_common[@]}" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
      --blobPort "$_blob" --queuePort "$_queue" --tablePort "$_table" >>"$AZURITE_DATA/azurite.log" 2>&1 &
    AZURITE_PID=$!
    AZURITE_PIDS="$AZURITE_PID"
  fi
}
_azurite_log_tail() { # the end of every Azurite log, on standard error (its data is thrown away; its log is all that tells why)
  local _log
  for _log in "$AZURITE_DATA"/azurite*.log; do [ -f "$_log" ] && { echo "--- ${_log##*/}:"; tail -n 40 "$_log"; }; done >&2
}
_azurite_alive() { local _s; _s=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $_s != Z* ]]; } # a zombie is not alive
_stop_throwaway_azurite() {
  # Azurite's graceful stop can wait minutes on idle connections; its data here is thrown away, so stop it hard after a moment.
  local _pid
  # The watchdog stops first (it leaves the pids of what it last started), so nothing restarts what is being stopped.
  [ -n "${_azurite_watchdog:-}" ] && { kill "$_azurite_watchdog" 2>/dev/null; wait "$_azurite_watchdog" 2>/dev/null; }
  [ -f "$AZURITE_DATA/pids" ] && AZURITE_PIDS=$(cat "$AZURITE_DATA/pids")
  # An emulator that exited on its own failed every request after it: say so, with its log, before the log is removed.
  for _pid in $AZURITE_PIDS; do
    _azurite_alive "$_pid" || { echo "throwaway-azurite: Azurite (pid $_pid) had exited before the stop" >&2; _azurite_log_tail; break; }
  done
  kill -TERM $AZURITE_PIDS 2>/dev/null || true
  for _pid in $AZURITE_PIDS; do
    for _ in $(seq 1 30); do _azurite_alive "$_pid" || break; sleep 0.1; done
    kill -KILL "$_pid" 2>/dev/null || true
    wait "$_pid" 2>/dev/null || true
  done
  rm -rf "$AZURITE_DATA"
}
_kill_azurite() { # at once, for a restart: the data it saved stays in the folder
  local _pid
  kill -KILL $AZURITE_PIDS 2>/dev/null || true
  for _pid in $AZURITE_PIDS; do wait "$_pid" 2>/dev/null || true; done # (only the sourcing shell's children are reaped)
}
_azurite_ready() { # every process alive and every port answering, within 20 s
  local _port _pid _ok
  for _port in "$_blob" "$_queue" "$_table"; do
    _ok=
    for _ in $(seq 1 200); do
      (exec 3<>"/dev/tcp/127.0.0.1/$_port") 2>/dev/null && { _ok=1; break; }
      for _pid in $AZURITE_PIDS; do _azurite_alive "$_pid" || return 1; done
      sleep 0.1
    done
    [ -n "$_ok" ] || return 1
  done
  for _pid in $AZURITE_PIDS; do _azurite_alive "$_pid" || return 1; done
}
# Free ports are picked before Azurite binds them, so another process (a test host's socket, another shard) can take one
# in between; Azurite then exits at once. Such a start is retried on new ports rather than running a suite against nothing.
_start_azurite
trap _stop_throwaway_azurite EXIT INT TERM
for _attempt in 2 3; do
  _azurite_ready && break
  echo "throwaway-azurite: Azurite did not start on ports $_blob/$_queue/$_table; retrying on new ports" >&2
  _azurite_log_tail
  _kill_azurite
  _blob=$(free_port); _queue=$(free_port); _table=$(free_port)
  _start_azurite
done
_azurite_ready || { echo "throwaway-azurite: Azurite did not start (3 attempts)" >&2; _azurite_log_tail; return 1 2>/dev/null || exit 1; }

# AZURITE_WATCHDOG=1 (test.sh): an emulator that exits during a run is reported with its log and started again on the
# same ports and data folder (what it had saved), so one emulator crash does not fail every test after it; a test the
# outage touched still fails by its own assertions. Off for the benchmark, where a restart would falsify the figures.
if [ -n "${AZURITE_WATCHDOG:-}" ]; then
  (
    trap 'echo "$AZURITE_PIDS" >"$AZURITE_DATA/pids"' EXIT # for the stop, which kills this watchdog first
    trap 'exit 0' TERM
    while sleep 1; do
      for _pid in $AZURITE_PIDS; do
        _azurite_alive "$_pid" && continue
        echo "throwaway-azurite: Azurite (pid $_pid) exited during the run; starting it again on the same ports and data" >&2
        _azurite_log_tail
        _kill_azurite
        _start_azurite
        _azurite_ready || echo "throwaway-azurite: Azurite did not come back" >&2
        break
      done
    done
  ) &
  _azurite_watchdog=$!
fi

_key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$_key;BlobEndpoint=http://127.0.0.1:$_blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$_queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$_table/devstoreaccount1;"
export AZURITE_PID AZURITE_PIDS AZURITE_DATA
