# The local run's settings and its list of parts, sourced by deploy/local/up, status and down (and
# bench/local-run-figures), so that all of them agree on where a run lives and where each part
# answers: a run started with BERTH_RUN_DIR and ports of its own is seen, healed and stopped by the
# other scripts given the same environment. Not a command: source it.
#
# Settings (environment), with their defaults:
#   BERTH_RUN_DIR                 .run in the checkout: pids, logs, Kafka's and PostgreSQL's data, sandboxes
#   BERTH_GATEWAY_PORT            8080
#   BERTH_SCHEDULER_PORT          8081   the scheduler started first (active unless it died meanwhile)
#   BERTH_STANDBY_SCHEDULER_PORT  8083   the one standing by
#   BERTH_VOLUME_PORT             8082
#   BERTH_ROUTER_PORT             8000   where routed apps are reached (HAProxy's frontend; docs/routing.md)
#   BERTH_ROUTER_ADMIN_PORT       8084   the router's own HTTP port (health, GET /routes)
#   BERTH_KAFKA_PORT              19092
#   BERTH_PG_PORT                 15432
#   BERTH_KEYCLOAK_PORT           18080
#   BERTH_NODE1_PORT, BERTH_NODE2_PORT              8091, 8092         the agents' own HTTP ports
#   BERTH_NODE1_TASK_PORTS, BERTH_NODE2_TASK_PORTS  31000-31499, 31500-31999   host ports for their tasks
#   BERTH_NODE1_BRIDGE, BERTH_NODE2_BRIDGE          berth-l1, berth-l2  each agent's bridge for bridged
#                                                   apps (none: no bridged networking on that node)
#   BERTH_PROMETHEUS_PORT         9090   Prometheus, when up runs with --with-prometheus
#   BERTH_REGISTRY_PORT           5000   the image registry (Debian's docker-registry, where it is installed;
#                                        examples/hello-http's image is pushed as berth/hello-http:1)
#   BERTH_AGENT_CGROUP_PARENT     berth  the cgroup both agents put their tasks under
#                                        (<parent>/<node id>/<task id>): two runs on one machine need two
# Two runs side by side need every one of these apart (the bridges' subnets are fixed: give a second
# run's agents no bridge).

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
run_dir=${BERTH_RUN_DIR:-$root/.run}
gateway_port=${BERTH_GATEWAY_PORT:-8080}
scheduler_port=${BERTH_SCHEDULER_PORT:-8081}
standby_port=${BERTH_STANDBY_SCHEDULER_PORT:-8083}
volume_port=${BERTH_VOLUME_PORT:-8082}
router_port=${BERTH_ROUTER_PORT:-8000}
router_admin_port=${BERTH_ROUTER_ADMIN_PORT:-8084}
kafka_port=${BERTH_KAFKA_PORT:-19092}
pg_port=${BERTH_PG_PORT:-15432}
keycloak_port=${BERTH_KEYCLOAK_PORT:-18080}
node1_port=${BERTH_NODE1_PORT:-8091}
node2_port=${BERTH_NODE2_PORT:-8092}
node1_task_ports=${BERTH_NODE1_TASK_PORTS:-31000-31499}
node2_task_ports=${BERTH_NODE2_TASK_PORTS:-31500-31999}
node1_bridge=${BERTH_NODE1_BRIDGE:-berth-l1}
node2_bridge=${BERTH_NODE2_BRIDGE:-berth-l2}
prometheus_port=${BERTH_PROMETHEUS_PORT:-9090}
registry_port=${BERTH_REGISTRY_PORT:-5000}
cgroup_parent=${BERTH_AGENT_CGROUP_PARENT:-berth}
logs=$run_dir/logs
pids=$run_dir/pids

# Every part of the run, in the order up starts them (infra is Kafka and PostgreSQL in one process).
parts=(infra keycloak scheduler scheduler-2 volume-service gateway router node-1 node-2)
# The image registry the agents pull apps' images from is a part where Debian's docker-registry is
# installed (started after infra and keycloak, while they come up); without it up says so and runs
# without one.
registry_binary=/usr/bin/docker-registry
if [ -x "$registry_binary" ]; then
  parts=("${parts[@]:0:2}" registry "${parts[@]:2}")
fi
# Parts that run only when asked for (up --with-prometheus), last; once started, a run has them until down
# (up heals them, status shows them) and their pid file says so: parts_asked_for lists the run's.
optional_parts=(prometheus)
parts_asked_for() {
  local part
  for part in "${optional_parts[@]}"; do
    [ -f "$pids/$part.pid" ] && echo "$part"
  done
  return 0
}

port_of() { # part: the port it answers on (infra: Kafka's, PostgreSQL's is pg_port; router: its own
            # HTTP port, the routed traffic arrives on router_port)
  case $1 in
    infra) echo "$kafka_port" ;;
    registry) echo "$registry_port" ;;
    keycloak) echo "$keycloak_port" ;;
    scheduler) echo "$scheduler_port" ;;
    scheduler-2) echo "$standby_port" ;;
    volume-service) echo "$volume_port" ;;
    gateway) echo "$gateway_port" ;;
    router) echo "$router_admin_port" ;;
    node-1) echo "$node1_port" ;;
    node-2) echo "$node2_port" ;;
    prometheus) echo "$prometheus_port" ;;
    *) echo "unknown part $1" >&2; return 1 ;;
  esac
}

pid_of() { # part: the pid its pid file names; fails when there is none
  [ -f "$pids/$1.pid" ] && cat "$pids/$1.pid"
}

# Whether the part's process runs. The pid must also still be one of this checkout's Berth processes
# (its command line names the checkout: a jar or the testkit under it; or, for Debian's prometheus and
# docker-registry, a config file in this run dir): after a crash the pid file
# stays, and its number may by now belong to something else, or to a zombie, whose command line is empty.
alive() { # part
  local pid cmdline
  pid=$(pid_of "$1") || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$root/"* || $cmdline == *"$run_dir/"* ]]
}

# PostgreSQL runs as a process of its own: an infra killed with -9 leaves it running on the data dir
# and port the next infra needs (which then cannot start), and down would not find it by a pid file.
# Stops such a leftover (SIGINT: PostgreSQL's fast shutdown), known by its command line naming this
# run's data dir; nothing when there is none.
stop_leftover_postgres() {
  local data=$run_dir/infra/postgres/data pid
  [ -f "$data/postmaster.pid" ] || return 0
  pid=$(head -1 "$data/postmaster.pid")
  [[ $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) == *"postgres -D $data "* ]] || return 0
  echo "  stopping the PostgreSQL server left by a killed infra (pid $pid)"
  kill -INT "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
}
