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
if [ -n "${AZURITE_SPLIT:-}" ]; then
  node_modules/.bin/azurite-blob "${_common[@]}" --blobHost 127.0.0.1 --blobPort "$_blob" >"$AZURITE_DATA/azurite-blob.log" 2>&1 &
  AZURITE_PIDS="$!"
  node_modules/.bin/azurite-queue "${_common[@]}" --queueHost 127.0.0.1 --queuePort "$_queue" >"$AZURITE_DATA/azurite-queue.log" 2>&1 &
  AZURITE_PIDS="$AZURITE_PIDS $!"
  node_modules/.bin/azurite-table "${_common[@]}" --tableHost 127.0.0.1 --tablePort "$_table" >"$AZURITE_DATA/azurite-table.log" 2>&1 &
  AZURITE_PID=$!
  AZURITE_PIDS="$AZURITE_PIDS $AZURITE_PID"
else
  node_modules/.bin/azurite "${_common[@]}" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort "$_blob" --queuePort "$_queue" --tablePort "$_table" >"$AZURITE_DATA/azurite.log" 2>&1 &
  AZURITE_PID=$!
  AZURITE_PIDS="$AZURITE_PID"
fi
_stop_throwaway_azurite() {
  # Azurite's graceful stop can wait minutes on idle connections; its data here is thrown away, so stop it hard after a moment.
  local _pid
  kill -TERM $AZURITE_PIDS 2>/dev/null || true
  for _pid in $AZURITE_PIDS; do
    for _ in $(seq 1 30); do kill -0 "$_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$_pid" 2>/dev/null || true
    wait "$_pid" 2>/dev/null || true
  done
  rm -rf "$AZURITE_DATA"
}
trap _stop_throwaway_azurite EXIT INT TERM
for _port in "$_blob" "$_queue" "$_table"; do
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$_port") 2>/dev/null && break; sleep 0.1; done
done

_key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$_key;BlobEndpoint=http://127.0.0.1:$_blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$_queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$_table/devstoreaccount1;"
export AZURITE_PID AZURITE_PIDS AZURITE_DATA
