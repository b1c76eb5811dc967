#!/usr/bin/env bash
# Side-by-side L4 proxy benchmark: Portcullis against HAProxy (mode tcp) and nginx's stream module, all on loopback.
#
#   benchmarks/peers/run.sh [--out FILE.md] [--reps N] [--duration S] [--iperf-time S] [--idle-conns N]
#                           [--rows LIST] [--no-nio] [--uring] [--twin] [--keep DIR] [--quick]
#                           [--proxy-cpus LIST --load-cpus LIST]
#
#   --out FILE       also write the table (with machine and settings) as Markdown to FILE
#   --reps N         repetitions of every measurement (default 3); cells are medians; the repetitions are
#                    interleaved across targets (rep 1 of all, then rep 2 of all, ...) so drift hits all alike,
#                    and each rep starts one target later than the one before, so no target always runs
#                    in the same place (first after a pause, or always right after the same other one)
#   --duration S     seconds of each wrk run (default 6)
#   --iperf-time S   seconds of each iperf3 run (default 4)
#   --idle-conns N   idle connections held for the memory row (default 10000, lowered to fit the fd hard limit:
#                    a proxy holds two descriptors per connection)
#   --rows LIST      which measurements to run, comma-separated from iperf, close, ka, mem (default all of them);
#                    rows not measured show n/a. For a longer look at some rows: --rows ka --reps 9 --duration 10
#   --no-nio         skip the second Portcullis (with -Dportcullis.transport=nio)
#   --uring          also run a Portcullis on io_uring (-Dportcullis.transport=io_uring; falls back to epoll,
#                    logged, where the kernel has io_uring off)
#   --uring-affinity WORD
#                    that Portcullis's cpuAffinity: auto (the default, as every other Portcullis) or none
#   --twin           also run a second, identical Portcullis (same build, same settings, its own ports): an A/A
#                    control. Whatever separates the two copies is the measurement's own noise, shown beside the
#                    differences to the peers (report.py: "Two copies of Portcullis")
#   --keep DIR       copy the raw outputs and every process's log to DIR
#   --quick          smoke test: 1 rep, 2 s runs, 1000 idle connections
#   --proxy-cpus LIST, --load-cpus LIST
#                    run the proxies on one set of CPUs and the load (wrk, iperf3 both ends, the backend nginx, the
#                    idle-connection client) on another (taskset lists, e.g. 0-3 and 4-7; both or neither, no CPU in
#                    both). Without them everything shares all CPUs, and the load generator takes CPU time from the
#                    proxy it measures. Each proxy gets one thread per proxy CPU (Portcullis counts the CPUs it may
#                    use; HAProxy nbthread, nginx worker_processes), and the bound peers are bound within the set.
#
# What it does (as root; everything on 127.0.0.0/8, every load run bounded in time):
#  1. Installs what is missing from Debian (one apt-get update, then apt-get install -y): haproxy, nginx-light,
#     libnginx-mod-stream, iperf3, wrk, curl. Services the packages would start are held back while installing.
#  2. Backends on "pod" addresses (Linux answers on all of 127.0.0.0/8): an nginx (1 worker, its own prefix, pid
#     and temp dirs) serving a 64-byte static file with keep-alive on 127.77.1.10:18080, and iperf3 -s on
#     127.77.1.11:5201.
#  3. Proxies, each on its own front ports on 127.0.0.1 (HTTP / iperf):
#       Portcullis        21080 / 21201  ./portcullis run, default settings: epoll, ioThreads 0 (one loop per core),
#                                        cpuAffinity auto (each loop bound to a CPU), no limits, health checks on,
#                                        one accept rule; JVM -Xms512m -Xmx512m
#       Portcullis NIO    24080 / 24201  the same with -Dportcullis.transport=nio
#       Portcullis io_uring 20080 / 20201 the same with -Dportcullis.transport=io_uring (with --uring; its
#                                        cpuAffinity from --uring-affinity)
#       Portcullis twin   19080 / 19201  with --twin: a second copy of the first, nothing changed
#       HAProxy           22080 / 22201  mode tcp, nbthread N, check inter 2s
#       nginx-stream      23080 / 23201  worker_processes N, proxy_pass (nginx OSS has no active health checks)
#       nginx-stream-hc   25080 / 25201  the same with proxy_half_close on (passes a FIN on, as Portcullis and
#                                        HAProxy do; nginx's default closes both sides when either ends)
#       HAProxy bound     26080 / 26201  HAProxy with cpu-map auto:1/1-N CPUS (each thread bound to a CPU)
#       nginx-stream bound 27080 / 27201 nginx-stream-hc with worker_cpu_affinity auto
#     (the last two because Portcullis binds its loops by default: the peers bound the same way), and waits
#     until each answers. N is the number of proxy CPUs (all of them without --proxy-cpus).
#  4. For direct (no proxy) and each proxy: iperf3 -t T with 1 and 4 streams; wrk -t2 -c50 with
#     'Connection: close' (new connections/s); wrk -t2 -c50 --latency kept-alive (requests/s, p99); and for the
#     proxies, RSS per idle connection (idle_conns.py: N idle connections held, proxy RSS before/after from
#     /proc/PID/status VmRSS, summed over nginx's master and workers; for Portcullis also the live Java heap after
#     a full GC, via jcmd, since a JVM's RSS mostly reflects heap pages touched earlier, not the connections). Before the first rep, each target gets a wrk warm-up
#     (6 s kept-alive + 6 s 'Connection: close'): Portcullis's new-connection rate roughly doubles over its first
#     ~20 s of load as the JIT compiles, and an unwarmed JVM would be measured mostly cold.
#  5. Prints the table (medians; Portcullis's ratio to the best of HAProxy and nginx-stream on each row) via
#     report.py, and writes it as Markdown with --out.
#  6. The EXIT trap stops every process it started, by PID, and checks that none of its ports still listens.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
root=$(cd "$here/../.." && pwd)
out="" reps=3 duration=6 iperf_time=4 idle_conns=10000 warmup=6 nio=1 uring=0 uring_affinity=auto twin=0 keep=""
rows=iperf,close,ka,mem
proxy_cpus="" load_cpus=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$(readlink -f "$2"); shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --iperf-time) iperf_time=$2; shift 2 ;;
    --idle-conns) idle_conns=$2; shift 2 ;;
    --no-nio|--no-epoll) nio=0; shift ;; # --no-epoll: the old name, from when NIO was the default
    --uring) uring=1; shift ;;
    --twin) twin=1; shift ;;
    --uring-affinity)
      case "$2" in auto|none) uring_affinity=$2 ;; *) echo "run.sh: --uring-affinity: auto or none, not '$2'" >&2; exit 2 ;; esac
      shift 2 ;;
    --keep) keep=$(readlink -f "$2"); shift 2 ;;
    --quick) reps=1 duration=2 iperf_time=2 idle_conns=1000 warmup=2; shift ;;
    --proxy-cpus) proxy_cpus=$2; shift 2 ;;
    --load-cpus) load_cpus=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for r in ${rows//,/ }; do
  case "$r" in
    iperf|close|ka|mem) ;;
    *) echo "run.sh: --rows: unknown measurement '$r' (iperf, close, ka, mem)" >&2; exit 2 ;;
  esac
done
measured() { [[ ",$rows," == *",$1,"* ]]; }

# CPU numbers of a taskset list ("0-2,5" -> "0 1 2 5"), or exit with the option's name and why.
expand_cpus() { # OPTION LIST
  local part lo hi c cpus=()
  [[ $2 =~ ^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$ ]] \
    || { echo "run.sh: $1 '$2': expected CPU numbers and ranges, like 0-3 or 0,2,4" >&2; exit 2; }
  for part in ${2//,/ }; do
    lo=${part%-*} hi=${part#*-}
    [ "$lo" -le "$hi" ] || { echo "run.sh: $1 '$2': range $part runs backwards" >&2; exit 2; }
    for ((c = lo; c <= hi; c++)); do cpus+=("$c"); done
  done
  taskset -c "$2" true 2>/dev/null \
    || { echo "run.sh: $1 '$2': not CPUs this process may run on (see taskset -p $$)" >&2; exit 2; }
  echo "${cpus[*]}"
}
on_proxy=() on_load=() allowed_cpus=""
if [ -n "$proxy_cpus$load_cpus" ]; then
  [ -n "$proxy_cpus" ] && [ -n "$load_cpus" ] \
    || { echo "run.sh: --proxy-cpus and --load-cpus go together" >&2; exit 2; }
  proxy_list=$(expand_cpus --proxy-cpus "$proxy_cpus") || exit 2
  load_list=$(expand_cpus --load-cpus "$load_cpus") || exit 2
  for c in $proxy_list; do
    if [[ " $load_list " == *" $c "* ]]; then
      echo "run.sh: CPU $c is in both --proxy-cpus and --load-cpus" >&2; exit 2
    fi
  done
  on_proxy=(taskset -c "$proxy_cpus") on_load=(taskset -c "$load_cpus")
else
  # Not separated: the proxies may use every CPU this process may (not always 0..N-1, in a container's cpuset).
  allowed_cpus=$(taskset -cp $$ | awk '{print $NF}')
  proxy_list=$(expand_cpus "the CPUs allowed (taskset -cp $$)" "$allowed_cpus") || exit 2
fi
read -r -a proxy_cpu_array <<< "$proxy_list"
threads=${#proxy_cpu_array[@]}
# HAProxy's cpu-map list of the proxy CPUs (numbers and ranges, separated by spaces).
haproxy_cpus=${proxy_cpus:-$allowed_cpus}
haproxy_cpus=${haproxy_cpus//,/ }
# nginx's worker_cpu_affinity mask of the proxy CPUs (rightmost digit = CPU 0).
nginx_mask=""
for ((c = proxy_cpu_array[-1]; c >= 0; c--)); do
  if [[ " $proxy_list " == *" $c "* ]]; then nginx_mask+=1; else nginx_mask+=0; fi
done

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------- 1. packages
install_missing() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v nginx >/dev/null || missing+=(nginx-light)
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || missing+=(libnginx-mod-stream)
  command -v iperf3 >/dev/null || missing+=(iperf3)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v curl >/dev/null || missing+=(curl)
  command -v ss >/dev/null || missing+=(iproute2)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  # Keep the packages' own services (nginx on :80, haproxy, iperf3) from starting while they install.
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
  [ $made_policy -eq 1 ] && rm -f /usr/sbin/policy-rc.d
  return 0
}
install_missing

# ---------------------------------------------------------------- settings
HTTP_BE=127.77.1.10:18080
IPERF_HOST=127.77.1.11 IPERF_PORT=5201
declare -A HTTP_PORT=([portcullis]=21080 [haproxy]=22080 [nginx]=23080 [portcullis-nio]=24080 [nginx-hc]=25080
                      [haproxy-pin]=26080 [nginx-pin]=27080 [portcullis-uring]=20080 [portcullis-twin]=19080)
declare -A IPERF_FRONT=([portcullis]=21201 [haproxy]=22201 [nginx]=23201 [portcullis-nio]=24201 [nginx-hc]=25201
                        [haproxy-pin]=26201 [nginx-pin]=27201 [portcullis-uring]=20201 [portcullis-twin]=19201)
targets=(direct portcullis)
[ "$nio" = 1 ] && targets+=(portcullis-nio)
[ "$uring" = 1 ] && targets+=(portcullis-uring)
[ "$twin" = 1 ] && targets+=(portcullis-twin)
targets+=(haproxy nginx nginx-hc haproxy-pin nginx-pin)

# A proxy holds two descriptors per connection; the hard limit cannot be raised without CAP_SYS_RESOURCE.
hard=$(ulimit -Hn)
ulimit -n "$hard"
if [ "$hard" != unlimited ] && [ $((idle_conns * 2 + 1000)) -gt "$hard" ]; then
  idle_conns=$(( (hard - 1000) / 2 ))
  log "fd hard limit is $hard: holding $idle_conns idle connections instead"
fi
if [ "$hard" = unlimited ] || [ "$hard" -gt 60000 ]; then nginx_conns=60000; else nginx_conns=$((hard - 100)); fi

tmp=$(mktemp -d /tmp/portcullis-peers.XXXXXX)
raw=$tmp/raw
mkdir -p "$raw"
chmod 755 "$tmp"   # nginx workers run as www-data and must read the backend's file
pids=()
cleanup() {
  local rc=$?
  set +e
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  wait 2>/dev/null
  local ports
  ports=$(IFS='|'; echo "18080|5201|${HTTP_PORT[*]}|${IPERF_FRONT[*]}")
  if ss -Hltn | grep -Eq "127\.(0\.0\.1|77\.1\.1[01]):($ports)\b"; then
    log "WARNING: something still listens on a benchmark port:"; ss -Hltnp | grep -E ":($ports)\b" >&2
  fi
  if [ -n "$keep" ]; then mkdir -p "$keep" && cp -r "$raw" "$tmp"/*.log "$tmp"/pc*/logs "$keep"/ 2>/dev/null; fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 2. backends
mkdir -p "$tmp/be/html" "$tmp/be/tmp" "$tmp/be/logs"
printf 'portcullis peers benchmark: a small static file of 64 bytes for request tests.........\n' | head -c 64 \
  > "$tmp/be/html/index.html"
cat > "$tmp/be/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile $hard;
pid $tmp/be/nginx.pid;
error_log $tmp/backend-nginx.log warn;
events { worker_connections $nginx_conns; }
http {
  access_log off;
  client_body_temp_path $tmp/be/tmp/body; proxy_temp_path $tmp/be/tmp/proxy;
  fastcgi_temp_path $tmp/be/tmp/fcgi; uwsgi_temp_path $tmp/be/tmp/uwsgi; scgi_temp_path $tmp/be/tmp/scgi;
  keepalive_timeout 120s; keepalive_requests 10000000; client_header_timeout 600s;
  server { listen $HTTP_BE; root $tmp/be/html; }
}
EOF
"${on_load[@]}" nginx -p "$tmp/be" -c "$tmp/be/nginx.conf" -g 'daemon off;' 2>>"$tmp/backend-nginx.log" &
pids+=($!); be_nginx=$!
"${on_load[@]}" iperf3 -s -B "$IPERF_HOST" -p "$IPERF_PORT" >"$tmp/backend-iperf3.log" 2>&1 &
pids+=($!)

# ---------------------------------------------------------------- 3. proxies
"$root/portcullis" --version >/dev/null   # builds once if needed, before anything is timed
java_home=$("$root/tools/find-jdk")
portcullis_config() { # DIR HTTP_PORT IPERF_PORT [CPU_AFFINITY]
  mkdir -p "$1"
  cat > "$1/appliance.yaml" <<EOF
node: bench-edge
policy: policy.yaml
management: {address: 127.0.0.1}
dataPlane:
  ioThreads: 0
  maxConnections: 0
  drainTimeout: 1s
  cpuAffinity: ${4:-auto}
logging:
  directory: $1/logs
routes:
  manage: false
EOF
  cat > "$1/policy.yaml" <<EOF
version: 1
cluster:
  name: bench
  podCIDR: [127.77.0.0/16]
  serviceCIDR: [127.96.0.0/16]
  nodes:
    - {name: node-a, address: 127.0.0.1, podCIDR: 127.77.1.0/24}
services:
  http:
    listen: [127.0.0.1:$2]
    endpoints: [$HTTP_BE]
    healthCheck: {enabled: true, interval: 2s}
  iperf:
    listen: [127.0.0.1:$3]
    endpoints: [$IPERF_HOST:$IPERF_PORT]
    healthCheck: {enabled: true, interval: 2s}
rules:
  - name: bench
    destination: [service:http, service:iperf]
    protocol: tcp
    action: accept
default: drop
EOF
}
jvm_opts="-Xms512m -Xmx512m"
declare -A PID
start_portcullis() { # TARGET CONFIG_DIR [JVM OPTION...]: one Portcullis on the target's ports, in the background
  local t=$1 dir=$2 affinity=auto; shift 2
  [ "$t" = portcullis-uring ] && affinity=$uring_affinity
  portcullis_config "$dir" "${HTTP_PORT[$t]}" "${IPERF_FRONT[$t]}" "$affinity"
  JAVA_TOOL_OPTIONS="$jvm_opts${*:+ $*}" "${on_proxy[@]}" "$root/portcullis" run --config "$dir" \
    >"$tmp/$t.log" 2>&1 &
  pids+=($!); PID[$t]=$!
}
start_portcullis portcullis "$tmp/pc"
[ "$nio" = 1 ] && start_portcullis portcullis-nio "$tmp/pc-nio" -Dportcullis.transport=nio
[ "$uring" = 1 ] && start_portcullis portcullis-uring "$tmp/pc-uring" -Dportcullis.transport=io_uring
[ "$twin" = 1 ] && start_portcullis portcullis-twin "$tmp/pc-twin"

cat > "$tmp/haproxy.cfg" <<EOF
global
  nbthread $threads
defaults
  mode tcp
  timeout connect 5s
  timeout client 10m
  timeout server 10m
frontend http_in
  bind 127.0.0.1:${HTTP_PORT[haproxy]}
  default_backend http_be
backend http_be
  server s1 $HTTP_BE check inter 2s
frontend iperf_in
  bind 127.0.0.1:${IPERF_FRONT[haproxy]}
  default_backend iperf_be
backend iperf_be
  server s1 $IPERF_HOST:$IPERF_PORT check inter 2s
EOF
"${on_proxy[@]}" haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy.log" 2>&1 &
pids+=($!); PID[haproxy]=$!

# Portcullis binds each event loop to a CPU by default (dataPlane.cpuAffinity: auto); the peers can do the same
# when asked (HAProxy's cpu-map, nginx's worker_cpu_affinity), so each also runs bound, as peers of their own.
sed -e "s#^  nbthread $threads#  nbthread $threads\n  cpu-map auto:1/1-$threads $haproxy_cpus#" \
    -e "s#:${HTTP_PORT[haproxy]}\$#:${HTTP_PORT[haproxy-pin]}#" -e "s#:${IPERF_FRONT[haproxy]}\$#:${IPERF_FRONT[haproxy-pin]}#" \
    "$tmp/haproxy.cfg" > "$tmp/haproxy-pin.cfg"
"${on_proxy[@]}" haproxy -db -f "$tmp/haproxy-pin.cfg" >"$tmp/haproxy-pin.log" 2>&1 &
pids+=($!); PID[haproxy-pin]=$!

mkdir -p "$tmp/ngx"
cat > "$tmp/ngx/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes $threads;
worker_rlimit_nofile $hard;
pid $tmp/ngx/nginx.pid;
error_log $tmp/nginx-stream.log warn;
events { worker_connections $nginx_conns; }
stream {
  proxy_timeout 10m;
  server { listen 127.0.0.1:${HTTP_PORT[nginx]}; proxy_pass $HTTP_BE; }
  server { listen 127.0.0.1:${IPERF_FRONT[nginx]}; proxy_pass $IPERF_HOST:$IPERF_PORT; }
}
EOF
"${on_proxy[@]}" nginx -p "$tmp/ngx" -c "$tmp/ngx/nginx.conf" -g 'daemon off;' 2>>"$tmp/nginx-stream.log" &
pids+=($!); PID[nginx]=$!

# The same nginx passing half-close on, as Portcullis and HAProxy do (nginx's default closes both sides when
# either ends): the same work per connection, for comparison. It counts as a peer like the others.
mkdir -p "$tmp/ngx-hc"
sed -e "s#$tmp/ngx/#$tmp/ngx-hc/#g" -e "s#nginx-stream.log#nginx-stream-hc.log#" \
    -e "s#:${HTTP_PORT[nginx]};#:${HTTP_PORT[nginx-hc]};#" -e "s#:${IPERF_FRONT[nginx]};#:${IPERF_FRONT[nginx-hc]};#" \
    -e "s#proxy_timeout 10m;#proxy_timeout 10m; proxy_half_close on;#" "$tmp/ngx/nginx.conf" > "$tmp/ngx-hc/nginx.conf"
"${on_proxy[@]}" nginx -p "$tmp/ngx-hc" -c "$tmp/ngx-hc/nginx.conf" -g 'daemon off;' \
  2>>"$tmp/nginx-stream-hc.log" &
pids+=($!); PID[nginx-hc]=$!

# ... and that one with each worker bound to a CPU (worker_cpu_affinity auto), as Portcullis binds its loops.
mkdir -p "$tmp/ngx-pin"
sed -e "s#$tmp/ngx-hc/#$tmp/ngx-pin/#g" -e "s#nginx-stream-hc.log#nginx-stream-pin.log#" \
    -e "s#:${HTTP_PORT[nginx-hc]};#:${HTTP_PORT[nginx-pin]};#" -e "s#:${IPERF_FRONT[nginx-hc]};#:${IPERF_FRONT[nginx-pin]};#" \
    -e "s#^worker_processes $threads;#worker_processes $threads;\nworker_cpu_affinity auto $nginx_mask;#" \
    "$tmp/ngx-hc/nginx.conf" > "$tmp/ngx-pin/nginx.conf"
"${on_proxy[@]}" nginx -p "$tmp/ngx-pin" -c "$tmp/ngx-pin/nginx.conf" -g 'daemon off;' \
  2>>"$tmp/nginx-stream-pin.log" &
pids+=($!); PID[nginx-pin]=$!

http_url() { [ "$1" = direct ] && echo "http://$HTTP_BE/" || echo "http://127.0.0.1:${HTTP_PORT[$1]}/"; }
iperf_args() { [ "$1" = direct ] && echo "-c $IPERF_HOST -p $IPERF_PORT" || echo "-c 127.0.0.1 -p ${IPERF_FRONT[$1]}"; }

for t in "${targets[@]}"; do
  ok=0
  for _ in $(seq 120); do
    if curl -sf -o /dev/null --max-time 1 "$(http_url "$t")"; then ok=1; break; fi
    if [ "$t" != direct ] && ! kill -0 "${PID[$t]}" 2>/dev/null; then break; fi
    sleep 0.5
  done
  if [ $ok = 0 ]; then
    log "$t does not answer on $(http_url "$t"); its log:"; tail -n 20 "$tmp"/*.log >&2 || true
    exit 1
  fi
  log "$t answers on $(http_url "$t")"
done

transports=""
for t in portcullis portcullis-nio portcullis-uring portcullis-twin; do
  [ -f "$tmp/$t.log" ] || continue
  tr=$(sed -n 's/.*data plane on \([a-z_]*\).*/\1/p' "$tmp/$t.log" | head -1)
  transports+="$t runs on ${tr:-?}; "
  if [[ $t == portcullis || $t == portcullis-twin ]] && [ "$tr" != epoll ]; then log "WARNING: $t runs on '${tr:-?}', not epoll"; fi
  if [ "$t" = portcullis-uring ] && [ "$tr" != io_uring ]; then log "WARNING: $t runs on '${tr:-?}', not io_uring"; fi
done
log "transports: $transports"

# ---------------------------------------------------------------- 4. measurements
run_iperf() { # TARGET STREAMS FILE
  # iperf3 -s serves one test at a time; a failed run is kept as a failure (report.py counts it).
  # shellcheck disable=SC2046
  timeout $((iperf_time + 30)) "${on_load[@]}" iperf3 $(iperf_args "$1") -t "$iperf_time" -P "$2" -J >"$3" 2>&1 || true
  if grep -q '"error"' "$3" || ! grep -q '"sum_received"' "$3"; then
    log "iperf3 through $1 (-P $2) failed: $(grep -m1 -o '"error":.*' "$3" || tail -n 1 "$3")"
  fi
  sleep 0.5
}
run_wrk() { # TARGET FILE [wrk options...]
  local t=$1 f=$2; shift 2
  timeout $((duration + 30)) "${on_load[@]}" wrk -t2 -c50 -d"${duration}s" --latency "$@" "$(http_url "$t")" >"$f" 2>&1 \
    || echo "FAILED rc=$?" >>"$f"
  sleep 1
}

start=$(date +%s)
for t in "${targets[@]}"; do
  mkdir -p "$raw/$t"
  log "warm-up: $t"
  timeout 60 "${on_load[@]}" wrk -t2 -c50 -d"${warmup}s" "$(http_url "$t")" >"$raw/$t/warmup.log" 2>&1 || true
  timeout 60 "${on_load[@]}" wrk -t2 -c50 -d"${warmup}s" -H 'Connection: close' "$(http_url "$t")" >>"$raw/$t/warmup.log" 2>&1 || true
done
n_targets=${#targets[@]}
for rep in $(seq "$reps"); do
  for ((k = 0; k < n_targets; k++)); do
    t=${targets[$(( (rep - 1 + k) % n_targets ))]}
    log "rep $rep/$reps: $t"
    if measured iperf; then
      run_iperf "$t" 1 "$raw/$t/iperf1.$rep.json"
      run_iperf "$t" 4 "$raw/$t/iperf4.$rep.json"
    fi
    measured close && run_wrk "$t" "$raw/$t/close.$rep.txt" -H 'Connection: close'
    measured ka && run_wrk "$t" "$raw/$t/ka.$rep.txt"
    if [ "$t" != direct ] && measured mem; then
      jcmd=()
      [[ $t == portcullis* ]] && jcmd=(--jcmd "$java_home/bin/jcmd")
      timeout 180 "${on_load[@]}" python3 "$here/idle_conns.py" --connect "127.0.0.1:${HTTP_PORT[$t]}" --backend "$HTTP_BE" \
        --pids "${PID[$t]}" --n "$idle_conns" "${jcmd[@]}" >"$raw/$t/mem.$rep.txt" 2>&1 \
        || log "idle connections through $t failed: $(tail -1 "$raw/$t/mem.$rep.txt")"
    fi
  done
done
elapsed=$(( $(date +%s) - start ))

# ---------------------------------------------------------------- 5. report
{
  echo "Machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)," \
       "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM."
  echo "Versions: $("$java_home/bin/java" -version 2>&1 | sed -n 2p);" \
       "Portcullis $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo '?');" \
       "$(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1 | cut -d' ' -f3); $(iperf3 -v | head -1 | cut -d' ' -f1-2);" \
       "wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)."
  echo "Settings: Portcullis default (epoll unless marked NIO or io_uring), ioThreads 0 = one event loop per core, cpuAffinity auto (io_uring: ${uring_affinity}), no limits," \
       "health checks every 2 s, JVM -Xms512m -Xmx512m -XX:+UseParallelGC (the launcher's); HAProxy $threads threads" \
       "(nbthread $threads), mode tcp, check inter 2s; nginx-stream $threads worker processes, proxy_pass; the bound peers add" \
       "cpu-map auto:1/1-$threads $haproxy_cpus (HAProxy) and worker_cpu_affinity auto $nginx_mask (nginx-stream-hc);" \
       "backend nginx 1 worker, 64-byte file, keep-alive; iperf3 server on loopback. Transports as logged: $transports"
  if [ -n "$proxy_cpus" ]; then
    echo "CPUs: proxies on $proxy_cpus (taskset); load generator, backend nginx, iperf3 and the idle-connection client on $load_cpus."
  else
    echo "CPUs: not separated: the proxies, the load generator and the backends share all $(nproc) CPUs."
  fi
  echo "Runs: $reps repetitions, interleaved across targets (order rotated by one each rep), median shown; iperf3 -t $iperf_time (-P 1, -P 4);" \
       "wrk -t2 -c50 -d${duration}s --latency (with and without 'Connection: close'); wrk warm-up of ${warmup} s kept-alive" \
       "+ ${warmup} s 'Connection: close' per target before the first rep; $idle_conns idle connections for the memory row (RSS delta / connections, nginx = master + workers);" \
       "measured rows: $rows; measuring took ${elapsed}s."
} > "$tmp/header.txt"
echo
cat "$tmp/header.txt"
echo
report_args=("$raw" "$(IFS=,; echo "${targets[*]}")" --header "$tmp/header.txt")
[ -n "$out" ] && report_args+=(--md "$out")
python3 "$here/report.py" "${report_args[@]}"

echo
echo "Proxy logs, lines with WARN, ERROR or Exception (first 20 each):"
for f in "$tmp"/portcullis*.log "$tmp"/pc*/logs/*.log "$tmp"/haproxy*.log "$tmp"/nginx-stream*.log \
         "$tmp/backend-nginx.log"; do
  [ -f "$f" ] || continue
  n=$(grep -cE 'WARN|ERROR|Exception|\[alert\]|\[crit\]|\[error\]' "$f" || true)
  echo "  ${f#"$tmp"/}: $n"
  if [ "$n" -gt 0 ]; then
    grep -E 'WARN|ERROR|Exception|\[alert\]|\[crit\]|\[error\]' "$f" | head -20 | sed 's/^/    /'
  fi
done
if [ -n "$out" ]; then
  {
    echo
    echo "Proxy logs after the run (lines with WARN, ERROR, Exception, [error], [crit], [alert]):"
    echo
    for f in "$tmp"/portcullis*.log "$tmp"/pc*/logs/*.log "$tmp"/haproxy*.log "$tmp"/nginx-stream*.log; do
      [ -f "$f" ] || continue
      echo "- ${f#"$tmp"/}: $(grep -cE 'WARN|ERROR|Exception|\[alert\]|\[crit\]|\[error\]' "$f" || true)"
    done
  } >> "$out"
fi
