#!/bin/bash
# cli_mt (Debian zookeeper-bin, the C client's own shell) in batch mode against $ZK_HOSTS:
# `ls /` and `ls2 /` must list /zookeeper with rc = 0. Batch mode takes everything after
# the command word as ONE path argument ("create /a b" creates "/a b"), so only
# single-argument commands are used here.
set -u
CLI_MT=${CLI_MT:-/usr/lib/zookeeper/bin/cli_mt}
hosts=${1:-${ZK_HOSTS:?usage: cli_mt_smoke.sh HOST:PORT (or ZK_HOSTS)}}
fail=0
for cmd in "ls /" "ls2 /"; do
  out=$(timeout 30 "$CLI_MT" -h "$hosts" -c "$cmd" 2>&1)
  rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: cli_mt -c '$cmd' exited $rc"; fail=1
  fi
  if ! grep -q '^/: rc = 0$' <<<"$out"; then
    echo "FAIL: cli_mt -c '$cmd': no '/: rc = 0' line"; fail=1
  fi
  if ! grep -qP '^\tzookeeper$' <<<"$out"; then
    echo "FAIL: cli_mt -c '$cmd': /zookeeper not listed"; fail=1
  fi
  if ! grep -q 'state = CONNECTED_STATE' <<<"$out"; then
    echo "FAIL: cli_mt -c '$cmd': never connected"; fail=1
  fi
  [[ $fail -ne 0 ]] && printf '%s\n' "$out"
done
[[ $fail -eq 0 ]] && echo "cli_mt: ls and ls2 work against $hosts"
exit $fail
