#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for tests and CI: Debian's slurm-wlm (slurmctld,
# slurmd, sbatch/squeue/scontrol) and munge, all on loopback, with every file (slurm.conf, munge
# key and socket, state, spool, logs, pid files, job scripts and outputs) in a private folder,
# ${SLURM_LOCAL_DIR:-/tmp/mirror-bert-slurm}. No systemd, no cgroups, no accounting (no slurmdbd,
# no sacct): job states come from squeue/scontrol, and finished jobs stay visible there for
# MinJobAge (1 hour).
#
# usage: Scripts/slurm-local.sh up                  install slurm-wlm + munge via apt if missing, write
#                                                   the config, start munged, slurmctld and slurmd, wait
#                                                   until the node `localhost` is idle; prints
#                                                   `export SLURM_CONF=…` on stdout (eval it to use sbatch,
#                                                   squeue, … directly). Already up: a no-op.
#        Scripts/slurm-local.sh down                cancel jobs, stop the daemons `up` started (idempotent)
#        Scripts/slurm-local.sh status              scontrol ping, sinfo, squeue
#        Scripts/slurm-local.sh env                 prints `export SLURM_CONF=…`
#        Scripts/slurm-local.sh run-array N [--timeout S] [sbatch options…] -- command [args…]
#             submits a job array of N tasks (0…N-1) running `command args…` (environment and working
#             folder of the caller, plus Slurm's SLURM_ARRAY_TASK_ID/_COUNT/_MIN/_MAX,
#             SLURM_ARRAY_JOB_ID, …), waits for all tasks (at most S seconds, default 600; then it
#             cancels the array and exits 124), prints one line per task on stdout,
#             `<jobid>_<task> <STATE> <exitcode:signal>`, sorted by task, and exits 0 only if every
#             task COMPLETED with exit code 0 (else 1; the tails of failed tasks' outputs go to stderr).
#             Task outputs: $SLURM_LOCAL_DIR/jobs/<jobid>_<task>.out.
#
# Environment: SLURM_LOCAL_DIR (private folder), SLURM_LOCAL_CTLD_PORT (6817), SLURM_LOCAL_SLURMD_PORT
# (6818), SLURM_LOCAL_UP_TIMEOUT (seconds `up` waits for the node, 60).
# A fresh `up` (not already up) starts with empty job state (job ids from 1 again); the munge key
# is kept across runs. Messages go to stderr; every wait is bounded.
# In CI:  Scripts/slurm-local.sh up >/dev/null && trap 'Scripts/slurm-local.sh down' EXIT
#         Scripts/slurm-local.sh run-array 4 -- ./my-task.sh
set -euo pipefail

dir=${SLURM_LOCAL_DIR:-/tmp/mirror-bert-slurm}
ctld_port=${SLURM_LOCAL_CTLD_PORT:-6817}
slurmd_port=${SLURM_LOCAL_SLURMD_PORT:-6818}
up_timeout=${SLURM_LOCAL_UP_TIMEOUT:-60}
node=localhost
conf=$dir/slurm.conf
munge_socket=$dir/munge/munge.socket
export SLURM_CONF=$conf
me=slurm-local

die() { echo "$me: error: $*" >&2; exit 1; }
note() { echo "$me: $*" >&2; }

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2; }

# ---------------------------------------------------------------------------------------------
# helpers

ensure_packages() {
  local missing=() sudo=""
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null || missing+=(slurmctld slurmd)
  command -v sbatch >/dev/null && command -v scontrol >/dev/null || missing+=(slurm-client)
  command -v munged >/dev/null || missing+=(munge)
  ((${#missing[@]})) || return 0
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  command -v apt-get >/dev/null || die "Slurm is not installed and apt-get is missing: install slurm-wlm and munge"
  note "installing slurm-wlm munge (apt)"
  timeout 300 $sudo apt-get update -qq >&2 || die "apt-get update failed"
  # policy-rc.d / no systemd: the packages' own services are not started, and we do not need them.
  timeout 600 $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurm-wlm munge >&2 || die "apt-get install slurm-wlm munge failed"
}

# prints the pid recorded in pid file $1 if that process is alive and its name starts with $2
live_pid() {
  local file=$1 name=$2 pid comm
  [[ -s $file ]] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  [[ $comm == "$name"* ]] || return 1
  echo "$pid"
}

log_tails() {
  local f
  for f in "$dir"/log/*.log; do
    [[ -s $f ]] || continue
    echo "---- tail of $f" >&2
    tail -n 15 "$f" >&2
  done
}

ctld_up() { timeout 10 scontrol ping 2>/dev/null | grep -q 'is UP'; }

node_state() { timeout 10 sinfo -h -n "$node" -o '%T' 2>/dev/null | head -n 1; }

is_up() {
  live_pid "$dir/run/munged.pid" munged >/dev/null && live_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null &&
    live_pid "$dir/run/slurmd.pid" slurmd >/dev/null && ctld_up || return 1
  case $(node_state) in idle | mixed | allocated | completing) return 0 ;; *) return 1 ;; esac
}

make_dir() {
  mkdir -p "$dir"
  [[ -O $dir ]] || die "$dir exists and is not owned by $(id -un); set SLURM_LOCAL_DIR"
  chmod 0700 "$dir"
  mkdir -p "$dir"/{munge,state,spool,log,run,jobs}
  chmod 0700 "$dir"/munge
}

write_config() {
  local hw user
  # e.g. "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105"
  hw=$(timeout 30 slurmd -C 2>/dev/null | head -n 1) || die "slurmd -C failed"
  hw=$(tr ' ' '\n' <<<"$hw" | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore|RealMemory)=' | tr '\n' ' ')
  [[ $hw == *CPUs=* && $hw == *RealMemory=* ]] || die "could not read CPUs/RealMemory from slurmd -C"
  user=$(id -un)
  cat >"$conf.tmp" <<EOF
# written by Scripts/slurm-local.sh: one node on loopback, no cgroups, no accounting
ClusterName=mirrorbert-local
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
CommunicationParameters=NoCtldInAddrAny,NoInAddrAny
MailProg=/bin/true
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
# schedule batch jobs (array tasks) as soon as resources free up, not after the default 3 s delay
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=3600
MaxArraySize=10001
InactiveLimit=0
KillWait=5
Waittime=0
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node ${hw}State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$conf.tmp" "$conf"
  : >"$dir/plugstack.conf"
}

ensure_munge_key() {
  local key=$dir/munge/munge.key
  [[ -s $key ]] && return 0
  if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$key" >&2 || die "mungekey --create failed"
  else
    dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
  fi
  chmod 0400 "$key"
}

# closes every descriptor above 2 of this (sub)shell
close_fds() {
  local fd n
  for fd in /proc/"$BASHPID"/fd/*; do
    n=${fd##*/}
    if [[ $n =~ ^[0-9]+$ ]] && ((n > 2)); then eval "exec $n>&-" 2>/dev/null || true; fi
  done
}

# start_daemon NAME PIDFILE CMD…: runs a self-daemonizing CMD with stdio detached, checks that
# PIDFILE names a live NAME process within 15 s
start_daemon() {
  local name=$1 pidfile=$2 i
  shift 2
  rm -f "$pidfile"
  # the daemons must not inherit any of our descriptors but stdio (fd 9 is the lock on $dir/lock;
  # a caller's pipe kept open by munged would make a test harness wait for EOF forever)
  if ! (close_fds; exec timeout 30 setsid "$@" </dev/null >>"$dir/log/start.log" 2>&1); then
    echo "---- tail of $dir/log/start.log" >&2; tail -n 15 "$dir/log/start.log" >&2
    log_tails
    die "could not start $name ($*)"
  fi
  for ((i = 0; i < 150; i++)); do
    live_pid "$pidfile" "$name" >/dev/null && return 0
    sleep 0.1
  done
  log_tails
  die "$name did not come up (no live pid in $pidfile)"
}

# stop_daemons NAME…: TERM to each live NAME from $dir/run/NAME.pid (all at once: each takes 1-2 s
# to exit), then KILL whatever is left after 15 s
stop_daemons() {
  local name pid i left pids=() names=()
  for name in "$@"; do
    if pid=$(live_pid "$dir/run/$name.pid" "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$name")
    fi
  done
  for ((i = 0; i < 150; i++)); do
    left=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && left=1; done
    ((left)) || break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[i]}" 2>/dev/null; then
      note "${names[i]} (${pids[i]}) ignored TERM for 15 s; killing it"
      kill -KILL "${pids[i]}" 2>/dev/null || true
    fi
    note "stopped ${names[i]} (${pids[i]})"
  done
  for name in "$@"; do rm -f "$dir/run/$name.pid"; done
}

# ---------------------------------------------------------------------------------------------
# subcommands

cmd_env() { printf 'export SLURM_CONF=%q\n' "$conf"; }

cmd_down() {
  [[ -d $dir ]] || return 0
  exec 9>"$dir/lock"
  flock -w 120 9 || die "another $me up/down holds $dir/lock"
  stop_all
}

# cancels the jobs and stops the daemons; the caller holds the lock
stop_all() {
  local ids i
  if live_pid "$dir/run/slurmctld.pid" slurmctld >/dev/null && ctld_up; then
    ids=$(timeout 10 squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ') || ids=""
    if [[ -n ${ids// /} ]]; then
      note "cancelling jobs: $ids"
      # shellcheck disable=SC2086
      timeout 10 scancel $ids 2>/dev/null || true
      for ((i = 0; i < 100; i++)); do
        [[ -z $(timeout 10 squeue -h -o '%A' 2>/dev/null) ]] && break
        sleep 0.2
      done
    fi
  fi
  stop_daemons slurmd slurmctld munged
}

cmd_up() {
  ensure_packages
  make_dir
  exec 9>"$dir/lock"
  flock -w 120 9 || die "another $me up/down holds $dir/lock"
  if is_up; then
    note "already up ($dir)"
    cmd_env
    return 0
  fi
  # partial or stale: stop whatever is left of a previous run, start clean
  stop_all

  write_config
  ensure_munge_key
  rm -rf "${dir:?}"/state/* "${dir:?}"/spool/*
  local f
  for f in "$dir"/log/*.log; do [[ -e $f ]] && mv -f "$f" "$f.prev"; done

  # a failed start-up stops whatever it had started
  trap 'rc=$?; if ((rc)); then note "up failed: stopping the daemons it started"; stop_daemons slurmd slurmctld munged; fi' EXIT
  start_daemon munged "$dir/run/munged.pid" munged --force --socket="$munge_socket" \
    --key-file="$dir/munge/munge.key" --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" --origin=127.0.0.1
  start_daemon slurmctld "$dir/run/slurmctld.pid" slurmctld -f "$conf" -c
  start_daemon slurmd "$dir/run/slurmd.pid" slurmd -f "$conf" -N "$node"

  local deadline=$((SECONDS + up_timeout)) state=""
  while ((SECONDS < deadline)); do
    if ctld_up; then
      state=$(node_state)
      case $state in
        idle | mixed | allocated)
          trap - EXIT
          note "up: node $node $state in ${SECONDS}s ($dir)"
          cmd_env
          return 0 ;;
        *drain* | *down* | *fail*)
          timeout 10 sinfo -R >&2 || true
          log_tails
          die "node $node is $state; see $dir/log" ;;
      esac
    fi
    for n in munged slurmctld slurmd; do
      live_pid "$dir/run/$n.pid" "$n" >/dev/null || { log_tails; die "$n exited during start-up; see $dir/log"; }
    done
    sleep 0.2
  done
  timeout 10 sinfo >&2 || true
  log_tails
  die "node $node not idle after ${up_timeout}s (state: ${state:-controller not answering}); see $dir/log"
}

cmd_status() {
  [[ -f $conf ]] || die "no cluster config in $dir: run $0 up"
  local rc=0
  timeout 10 scontrol ping || rc=$?
  timeout 10 sinfo || rc=$?
  timeout 10 squeue || rc=$?
  ((rc == 0)) || note "the local cluster is not (fully) up: $0 up starts it"
  return "$rc"
}

terminal_state() {
  case $1 in
    COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | PREEMPTED | BOOT_FAIL | DEADLINE | OUT_OF_MEMORY) return 0 ;;
    *) return 1 ;;
  esac
}

# prints "<task> <state> <exitcode>" for each record of array job $1 (pending ranges as "0-3%…")
# (the first ArrayTaskId=, JobState=, ExitCode= fields of each line: Command= may hold anything)
array_records() {
  timeout 10 scontrol -o show job "$1" 2>/dev/null | awk '{
    t = s = c = ""
    for (i = 1; i <= NF; i++) {
      if (t == "" && $i ~ /^ArrayTaskId=/) t = substr($i, 13)
      else if (s == "" && $i ~ /^JobState=/) s = substr($i, 10)
      else if (c == "" && $i ~ /^ExitCode=/) c = substr($i, 10)
    }
    if (t != "" && s != "") print t, s, c
  }'
}

cmd_run_array() {
  (($#)) || die "usage: $0 run-array N [--timeout S] [sbatch options…] -- command [args…]"
  local n=$1 wait_s=600 sbatch_opts=() jobid t0 recs task state code done_n bad=0 rc
  shift
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "run-array: N must be a positive integer, got '$n'"
  while (($#)) && [[ $1 != -- ]]; do
    case $1 in
      --timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || die "run-array: --timeout needs seconds"; wait_s=$2; shift 2 ;;
      --timeout=*) wait_s=${1#--timeout=}; [[ $wait_s =~ ^[0-9]+$ ]] || die "run-array: --timeout needs seconds"; shift ;;
      *) sbatch_opts+=("$1"); shift ;;
    esac
  done
  [[ ${1:-} == -- ]] || die "run-array: missing '--' before the command"
  shift
  (($#)) || die "run-array: no command after '--'"
  if ! [[ -f $conf ]] || ! ctld_up; then
    die "the local cluster is not up (SLURM_CONF=$conf): run $0 up"
  fi

  local script=$dir/jobs/run-array.sh
  printf '#!/bin/bash\n# the command comes as arguments (sbatch script args)\nexec "$@"\n' >"$script.$$"
  chmod 0755 "$script.$$"
  mv "$script.$$" "$script"

  jobid=$(timeout 30 sbatch --parsable --array="0-$((n - 1))" --job-name=slurm-local-array \
    --output="$dir/jobs/%A_%a.out" --chdir="$PWD" --export=ALL "${sbatch_opts[@]}" \
    "$script" "$@") || die "sbatch failed"
  jobid=${jobid%%;*}
  note "submitted array job $jobid (tasks 0-$((n - 1))), waiting up to ${wait_s}s"

  t0=$SECONDS
  while :; do
    recs=$(array_records "$jobid") || recs=""
    done_n=0
    local pending_left=0
    while read -r task state code; do
      [[ -n ${task:-} ]] || continue
      if [[ $task =~ ^[0-9]+$ ]] && terminal_state "$state"; then
        done_n=$((done_n + 1))
      else
        pending_left=1
      fi
    done <<<"$recs"
    ((done_n >= n && pending_left == 0)) && break
    if ((SECONDS - t0 > wait_s)); then
      note "array job $jobid not done after ${wait_s}s; cancelling it"
      timeout 10 scancel "$jobid" 2>/dev/null || true
      sort -n <<<"$recs" | while read -r task state code; do echo "${jobid}_$task $state $code"; done
      return 124
    fi
    sleep 0.5
  done
  note "array job $jobid finished in $((SECONDS - t0))s"

  while read -r task state code; do
    echo "${jobid}_$task $state $code"
    if [[ $state != COMPLETED || $code != 0:0 ]]; then
      bad=1
      note "task $task: $state (exit $code); tail of $dir/jobs/${jobid}_$task.out:"
      tail -n 10 "$dir/jobs/${jobid}_$task.out" >&2 2>/dev/null || true
    fi
  done < <(sort -n <<<"$recs")
  rc=0
  ((bad == 0)) || rc=1
  return "$rc"
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) shift; cmd_status "$@" ;;
  env) shift; cmd_env ;;
  run-array) shift; cmd_run_array "$@" ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac
