# shellcheck shell=sh disable=SC2034
# bench/lib.sh — set-up shared by the benches that run against a local nginx
# (http_bench.sh, client_bench.sh). Sourced (`. bench/lib.sh`) from the repo
# root after OUT is set; defines functions and, with bench_cpus, SRV_CPU and
# CLI_CPU. Nothing here starts a process by itself.

# the Python load generators import bench/benchlib.py: leave no __pycache__ in the tree
export PYTHONDONTWRITEBYTECODE=1

# bench_tools NAME [openssl]: make sure nginx, wrk, musl-gcc and taskset (and
# openssl when asked) are there; when missing, install their Debian packages
# if we are root, else exit 1 naming them. Sets NGINX to the nginx binary.
bench_tools() {
	missing=""
	[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
	command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
	command -v musl-gcc >/dev/null 2>&1 || missing="$missing musl-tools"
	command -v taskset >/dev/null 2>&1 || missing="$missing util-linux"
	[ "$2" != openssl ] || command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
	if [ -n "$missing" ]; then
		[ "$(id -u)" = 0 ] || { echo "$1 needs:$missing (run as root to install them)" >&2; exit 1; }
		echo "installing:$missing"
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >"$OUT/apt.log" 2>&1 ||
			{ apt-get update -q >/dev/null 2>&1 &&
			  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >"$OUT/apt.log" 2>&1; } ||
			{ echo "apt-get install failed, see $OUT/apt.log" >&2; exit 1; }
	fi
	NGINX=$(command -v nginx || echo /usr/sbin/nginx)
}

# bench_cpus: SRV_CPU=0 and CLI_CPU=1 (both 0 on a single core).
bench_cpus() {
	if [ "$(nproc)" -ge 2 ]; then SRV_CPU=0 CLI_CPU=1; else SRV_CPU=0 CLI_CPU=0; fi
}

# free_port: an ephemeral TCP port on 127.0.0.1 that was free a moment ago.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx_conf DIR SERVER_LINES: write DIR/nginx.conf — 1 worker, no access log,
# endless keep-alive, temp paths and logs under DIR, one server whose body is
# SERVER_LINES (listen directives etc.) plus `location / { return 200 "hello"; }`.
nginx_conf() {
	cat >"$1/nginx.conf" <<NGINX_EOF
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    client_body_temp_path $1/tmp/body;
    proxy_temp_path $1/tmp/proxy;
    fastcgi_temp_path $1/tmp/fastcgi;
    uwsgi_temp_path $1/tmp/uwsgi;
    scgi_temp_path $1/tmp/scgi;
    server {
$2
        location / { return 200 "hello"; }
    }
}
NGINX_EOF
}
