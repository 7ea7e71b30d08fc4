# Shared shell helpers for the peer start/stop scripts (sourced, not run), so both peers follow
# the same contract: PIDs one per line on stdout and in RUN_DIR/pids, logs in RUN_DIR, the
# same fd limit and CPU pinning.

# Raise the soft open-files limit as far as the hard limit allows (capped at 1,048,576, the
# usual nr_open). Each loopback WebSocket costs the server one fd; the benchmark wants 20,000.
peers_raise_nofile() {
  local hard
  hard=$(ulimit -Hn)
  if [ "$hard" = unlimited ] || [ "$hard" -gt 1048576 ]; then hard=1048576; fi
  ulimit -n "$hard"
  if [ "$hard" -lt 65536 ]; then
    echo "note: hard open-files limit is $hard (< 65536); one server process can hold at most ~$((hard - 32)) connections" >&2
  fi
}

# Prefix for the server command: `taskset -c $PEER_CPUS` when PEER_CPUS is set. taskset execs
# the command, so the PID we record is the server's own.
peers_pin() {
  if [ -n "${PEER_CPUS:-}" ]; then
    echo "taskset -c $PEER_CPUS"
  fi
}

# peers_wait_http URL TIMEOUT_SECONDS PID: wait until URL answers 200; fail early if PID died.
peers_wait_http() {
  local url=$1 timeout=$2 pid=$3 deadline
  deadline=$(($(date +%s) + timeout))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "process $pid exited before $url answered" >&2
      return 1
    fi
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "timed out after ${timeout}s waiting for $url" >&2
  return 1
}

# peers_stop_pidfile FILE: SIGTERM every PID in FILE, wait up to 10 s, SIGKILL what is left.
# Only the PIDs the start script recorded are touched.
peers_stop_pidfile() {
  local file=$1 pid deadline alive
  [ -f "$file" ] || return 0
  for pid in $(cat "$file"); do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$(($(date +%s) + 10))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    alive=0
    for pid in $(cat "$file"); do
      if kill -0 "$pid" 2>/dev/null; then alive=1; fi
    done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in $(cat "$file"); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -f "$file"
}
