#!/bin/bash
# nginx (Debian nginx-light, one process: master_process off, 1 worker) with and without the
# preload:
#  1. user-space instructions per request under callgrind, keep-alive and one connection per
#     request, N1 and N2 requests from bench/httpc.c, differenced; and one connection per
#     request from another client, sequential curl with "Connection: close" (C1 and C2
#     requests: curl's URL globbing, one process);
#  2. syscalls per connection from strace -f -c, N1 and N2 connections, differenced;
#  3. wall-clock ratio of wrk's requests/s over alternating native/preloaded runs;
#  4. leak records under wrk load (must be zero).
# Usage: B=build bench/nginx.sh
set -u
. "$(dirname "$0")/lib.sh"

N1=${N1:-2000}
N2=${N2:-12000}
C1=${C1:-100}
C2=${C2:-400}
S1=${S1:-1000}
S2=${S2:-5000}
ROUNDS=${ROUNDS:-3}
WRK_SECS=${WRK_SECS:-3}
PORT=$(free_port 1)
NGINX=${NGINX:-/usr/sbin/nginx}

mkdir -p "$WORK/nginx/www" "$WORK/nginx/tmp" "$WORK/logs"
# A typical small static page (the size of nginx's own index.html).
head -c 612 /dev/zero | tr '\0' 'x' >"$WORK/nginx/www/index.html"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	keepalive_requests 1000000;
	keepalive_timeout 60s;
	client_body_temp_path $WORK/nginx/tmp;
	proxy_temp_path $WORK/nginx/tmp;
	fastcgi_temp_path $WORK/nginx/tmp;
	uwsgi_temp_path $WORK/nginx/tmp;
	scgi_temp_path $WORK/nginx/tmp;
	server {
		listen 127.0.0.1:$PORT;
		root $WORK/nginx/www;
	}
}
EOF
NGX="$NGINX -p $WORK/nginx -c $WORK/nginx/nginx.conf -e $WORK/nginx/error.log"

# Start nginx under the given wrapper ("" or a valgrind/strace command line), native or
# preloaded, drive it with httpc, stop it with SIGQUIT (graceful: callgrind and strace write
# their output at exit).
serve() { # native|preload mode n wrapper...
	kind=$1 mode=$2 n=$3
	shift 3
	if [ "$kind" = preload ]; then
		env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="$CG_OPTS:log_path=$WORK/logs/cg" "$@" $NGX &
	elif [ "$kind" = thread ]; then
		env LD_PRELOAD="$BIN/idlethread.so" "$@" $NGX &
	else
		env "$@" $NGX &
	fi
	pid=$!
	PIDS="$PIDS $pid"
	wait_port "$PORT" || return 1
	if [ "$mode" = curl ]; then
		# Sequential, each on a connection of its own (the server closes after the reply).
		curl -sf -o /dev/null -H "Connection: close" "http://127.0.0.1:$PORT/?[1-$n]" \
			>/dev/null || note "nginx: curl failed ($kind $n)"
	else
		"$BIN/httpc" "$PORT" "$n" "$mode" || note "nginx: httpc failed ($kind $mode $n)"
	fi
	# strace -f / valgrind: signal the traced nginx itself, not the tracer.
	tgt=$(pgrep -P "$pid" -x nginx || echo "$pid")
	if [ "$tgt" != "$pid" ]; then
		kill -QUIT "$tgt"
		stop_pid "$pid" 0
	else
		stop_pid "$pid" QUIT
	fi
	# The listening port must be free again before the next run.
	while ss -Hltn "sport = :$PORT" | grep -q .; do sleep 0.1; done
}

cg() { # kind mode n -> Ir
	f=$WORK/cg.nginx.$1.$2.$3
	serve "$1" "$2" "$3" valgrind --tool=callgrind --trace-children=no \
		--callgrind-out-file="$f" >/dev/null 2>"$f.err"
	cg_total "$f"
}

out=$RES/nginx.md
{
	echo "### nginx $($NGINX -v 2>&1 | sed 's/.*\///'), 1 worker, 612-byte static file"
	echo
	echo "Instructions per request (callgrind Ir, all threads, differenced between $N1 and $N2 requests):"
	echo
	echo "| load | native Ir/req | preloaded Ir/req | added Ir/req | ratio | target | native + idle thread (control) |"
	echo "|---|---|---|---|---|---|---|"
} >"$out"
sizes() { [ "$1" = curl ] && echo "$C1 $C2" || echo "$N1 $N2"; }
label() {
	case $1 in
	ka) echo "keep-alive" ;;
	close) echo "one connection per request (httpc)" ;;
	*) echo "one connection per request (sequential curl, Connection: close, $C1 / $C2 requests)" ;;
	esac
}
for mode in ka close curl; do
	read -r m1 m2 <<<"$(sizes $mode)"
	n1=$(cg native $mode "$m1") n2=$(cg native $mode "$m2")
	p1=$(cg preload $mode "$m1") p2=$(cg preload $mode "$m2")
	ni=$(per_unit "$n1" "$n2" "$m1" "$m2")
	pi=$(per_unit "$p1" "$p2" "$m1" "$m2")
	t1=$(cg thread $mode "$m1") t2=$(cg thread $mode "$m2")
	ti=$(per_unit "$t1" "$t2" "$m1" "$m2")
	for k in native preload; do
		cp "$WORK/cg.nginx.$k.$mode.$m1" "$RES/callgrind.nginx-$mode.$k.$m1"
		cp "$WORK/cg.nginx.$k.$mode.$m2" "$RES/callgrind.nginx-$mode.$k.$m2"
	done
	label=$(label $mode)
	tgt=$([ $mode = ka ] && echo "within 0.5%" || echo "within 2%")
	echo "| $label | $ni | $pi | $(awk -v a="$ni" -v b="$pi" 'BEGIN {printf "%.1f", b - a}') | **$(pct "$ni" "$pi")** | $tgt | $ti ($(pct "$ni" "$ti")) |" >>"$out"
	note "nginx: $label: native $ni Ir/req, preloaded $pi Ir/req ($(pct "$ni" "$pi"))"
done

# Syscalls per connection (one request each), all of nginx's threads (-f).
st() { # kind n -> file
	f=$WORK/strace.nginx.$1.$2
	if [ "$1" = preload ]; then
		serve native close "$2" strace -f -c -o "$f" -E LD_PRELOAD="$LIB" \
			-E SOCKLEAK_OPTIONS="$CG_OPTS:log_path=$WORK/logs/cg" >/dev/null 2>&1
	else
		serve native close "$2" strace -f -c -o "$f" >/dev/null 2>&1
	fi
	echo "$f"
}
fn1=$(st native "$S1") fn2=$(st native "$S2")
fp1=$(st preload "$S1") fp2=$(st preload "$S2")
sn=$(per_unit "$(strace_total "$fn1")" "$(strace_total "$fn2")" "$S1" "$S2")
sp=$(per_unit "$(strace_total "$fp1")" "$(strace_total "$fp2")" "$S1" "$S2")
{
	echo
	echo "Syscalls per connection (strace -f -c, one request per connection, differenced between $S1 and $S2 connections):"
	echo "native $sn, preloaded $sp, **added $(awk -v a="$sn" -v b="$sp" 'BEGIN {printf "%.2f", b - a}')** (target: 0 for a connection that closes before the next scan)."
	echo
	echo "| syscall | native per conn | preloaded per conn |"
	echo "|---|---|---|"
	join -a1 -a2 -e0 -o 0,1.2,2.2 <(strace_calls "$fn1" | sort) <(strace_calls "$fn2" | sort) |
		awk -v n1="$S1" -v n2="$S2" '{printf "%s %.2f\n", $1, ($3 - $2) / (n2 - n1)}' >"$WORK/sn"
	join -a1 -a2 -e0 -o 0,1.2,2.2 <(strace_calls "$fp1" | sort) <(strace_calls "$fp2" | sort) |
		awk -v n1="$S1" -v n2="$S2" '{printf "%s %.2f\n", $1, ($3 - $2) / (n2 - n1)}' >"$WORK/sp"
	join -a1 -a2 -e0 -o 0,1.2,2.2 "$WORK/sn" "$WORK/sp" |
		awk '$2 >= 0.05 || $3 >= 0.05 {m = ($2 != $3) ? " (differs)" : ""; printf "| %s%s | %s | %s |\n", $1, m, $2, $3}'
} >>"$out"
for mode in ka close curl; do
	read -r m1 m2 <<<"$(sizes $mode)"
	{
		echo
		# The whole list down to 0.5 a request: the per-connection case's breakdown is
		# quoted in docs/performance.md, item by item.
		echo "Where the added instructions go, $(label $mode) (bench/cgdiff.py, self cost per request, top 30; sockleak's own code, --own libsockleak.so: $(cgdiff_of "$RES/callgrind.nginx-$mode" "$m1" "$m2" --own libsockleak.so) a request):"
		echo
		cgdiff_of "$RES/callgrind.nginx-$mode" "$m1" "$m2" --top 30
	} >>"$out"
done
note "nginx: syscalls per connection: native $sn, preloaded $sp"

# Wall clock: wrk, alternating native and preloaded (default options: watchdog on), and the
# leak check on the preloaded runs (short grace so a leak would show within the run).
wrk_rps() { # kind extra-wrk-args...
	kind=$1
	shift
	if [ "$kind" = preload ]; then
		env LD_PRELOAD="$LIB" SOCKLEAK_OPTIONS="grace_ms=200:log_path=$WORK/logs/wrk" $NGX &
	else
		$NGX &
	fi
	pid=$!
	PIDS="$PIDS $pid"
	wait_port "$PORT" || return 1
	wrk -t2 -c50 -d"${WRK_SECS}s" "$@" "http://127.0.0.1:$PORT/" 2>/dev/null |
		awk '/^Requests\/sec:/ {print $2}'
	sleep 1.5   # let the preloaded watchdog (scan_ms=1000) scan what the load left behind
	stop_pid "$pid" QUIT
	while ss -Hltn "sport = :$PORT" | grep -q .; do sleep 0.1; done
}
{
	echo
	echo "Wall clock (wrk -t2 -c50 -d${WRK_SECS}s, median of $ROUNDS alternating rounds; preloaded with grace_ms=200):"
	echo
	echo "| load | native req/s | preloaded req/s | preloaded/native |"
	echo "|---|---|---|---|"
} >>"$out"
for mode in ka close; do
	: >"$WORK/wall.$mode"
	for r in $(seq "$ROUNDS"); do
		if [ $mode = ka ]; then
			a=$(wrk_rps native) b=$(wrk_rps preload)
		else
			a=$(wrk_rps native -H "Connection: close") b=$(wrk_rps preload -H "Connection: close")
		fi
		echo "$a $b" >>"$WORK/wall.$mode"
	done
	label=$([ $mode = ka ] && echo "keep-alive" || echo "one connection per request")
	echo "| $label | $(awk '{print $1}' "$WORK/wall.$mode" | median) | $(awk '{print $2}' "$WORK/wall.$mode" | median) | $(awk '{printf "%.4f\n", $2 / $1}' "$WORK/wall.$mode" | median) |" >>"$out"
done
leaks=$(leak_count "$WORK/logs/wrk")
{
	echo
	echo "Leak records from the preloaded nginx under wrk load (keep-alive and Connection: close): **$leaks** (target: 0)."
} >>"$out"
cat "$WORK"/logs/wrk.* 2>/dev/null | grep '"event":"leak"' | head -5 >"$RES/nginx-leaks.jsonl"
note "nginx: leak records: $leaks"
cat "$out"
