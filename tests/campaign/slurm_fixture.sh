# A real single-node Slurm cluster in a temporary folder, for tests (sourced
# by bash scripts). slurm_start DIR writes a munge key and a slurm.conf with
# two partitions (alpha, beta) on one node (dnnroof-node = this machine),
# starts munged, slurmctld and slurmd on free ports, exports SLURM_CONF and
# waits until sinfo shows the node idle. slurm_stop stops every daemon it
# started (by the pid it recorded) and is safe to call twice; call it from an
# EXIT trap. Needs root (slurmd starts jobs) and Debian's slurm-wlm and munge.

SLURM_FIXTURE_DIR=""
SLURM_FIXTURE_PIDFILES=()

# Prints why this machine cannot run the fixture, or nothing when it can.
slurm_fixture_unavailable() {
  local b
  for b in munged mungekey slurmctld slurmd sbatch squeue sinfo scancel scontrol; do
    if ! command -v "$b" >/dev/null 2>&1; then
      echo "'$b' is not installed: the Slurm test needs Debian's slurm-wlm and munge" \
        "(listed in scripts/packages.txt; bash scripts/setup.sh installs them)"
      return
    fi
  done
  if [ "$(id -u)" -ne 0 ]; then
    echo "slurmd must run as root to start jobs, and this test runs as uid $(id -u)"
  fi
}

# A TCP port nobody listens on now.
slurm_fixture_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits up to $1 seconds for the command after it to succeed.
slurm_fixture_wait() {
  local limit=$1 start=$SECONDS
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS - start >= limit)); then return 1; fi
    sleep 0.5
  done
}

slurm_fixture_logs() {
  local f
  for f in "$SLURM_FIXTURE_DIR"/log/*.log "$SLURM_FIXTURE_DIR"/munge/munged.log; do
    [ -f "$f" ] || continue
    echo "---- last lines of $f"
    tail -n 15 "$f"
  done
}

slurm_node_idle() {
  sinfo -h -N -o '%t' | grep -qx idle
}

slurm_no_jobs() {
  [ -z "$(squeue -h -o %i 2>/dev/null)" ]
}

slurm_start() {
  local d=$1
  SLURM_FIXTURE_DIR=$d
  mkdir -p "$d"/munge "$d"/state "$d"/spool "$d"/log
  chmod 711 "$d" "$d"/munge
  mungekey --create --keyfile="$d/munge/munge.key" || return 1
  chmod 600 "$d/munge/munge.key"
  SLURM_FIXTURE_PIDFILES+=("$d/munge/munged.pid")
  munged --force --key-file="$d/munge/munge.key" --socket="$d/munge/munge.sock" \
    --pid-file="$d/munge/munged.pid" --log-file="$d/munge/munged.log" \
    --seed-file="$d/munge/munged.seed" || {
    echo "slurm fixture: munged did not start" >&2
    slurm_fixture_logs >&2
    return 1
  }
  local ctld_port slurmd_port
  ctld_port=$(slurm_fixture_free_port)
  slurmd_port=$(slurm_fixture_free_port)
  while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port=$(slurm_fixture_free_port); done
  cat >"$d/slurm.conf" <<EOF
# Written by tests/campaign/slurm_fixture.sh: one node, two partitions.
ClusterName=dnnroof-test
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge/munge.sock
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
KillWait=2
MinJobAge=600
InactiveLimit=0
NodeName=dnnroof-node NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=alpha Nodes=dnnroof-node Default=YES MaxTime=INFINITE State=UP
PartitionName=beta Nodes=dnnroof-node MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$d/slurm.conf
  SLURM_FIXTURE_PIDFILES+=("$d/slurmctld.pid" "$d/slurmd.pid")
  slurmctld -f "$SLURM_CONF" -i || {
    echo "slurm fixture: slurmctld did not start" >&2
    slurm_fixture_logs >&2
    return 1
  }
  slurmd -f "$SLURM_CONF" -N dnnroof-node || {
    echo "slurm fixture: slurmd did not start" >&2
    slurm_fixture_logs >&2
    return 1
  }
  if ! slurm_fixture_wait 60 slurm_node_idle; then
    echo "slurm fixture: the node did not become idle within 60 s:" >&2
    sinfo -N >&2 || true
    slurm_fixture_logs >&2
    return 1
  fi
  echo "slurm fixture: slurmctld :$ctld_port and slurmd :$slurmd_port up in $d"
  sinfo
}

slurm_stop() {
  local f pid
  # The jobs first, so no slurmstepd outlives the cluster.
  if [ -n "$SLURM_FIXTURE_DIR" ] && [ -s "$SLURM_FIXTURE_DIR/slurmctld.pid" ]; then
    scancel --quiet --user="$(id -un)" 2>/dev/null || true
    slurm_fixture_wait 20 slurm_no_jobs || true
  fi
  # slurmd first (it kills the job steps it runs), munged last.
  for ((i = ${#SLURM_FIXTURE_PIDFILES[@]} - 1; i >= 0; i--)); do
    f=${SLURM_FIXTURE_PIDFILES[i]}
    [ -s "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
  done
  SLURM_FIXTURE_PIDFILES=()
}
