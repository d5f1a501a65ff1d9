"""The nemesis: a schedule drawn from the seed before the run (printed, so a failure can be
replayed with ZK_FAULT_SEED), then executed one fault at a time: apply, hold, heal, gap.
"leader" targets are resolved when the fault starts (srvr), so a replay is close, not exact.

Faults: kill (SIGKILL, restart on the same dataDir), pause (SIGSTOP/SIGCONT), and partitions
cutting server-to-server traffic: halves (a random minority against the rest), leader (the
leader alone), ring (5 servers: each sees its two ring neighbours, a majority, but no two
see the same one), bridge (5 servers: two pairs that only one bridge server joins). Each
partition drops packets silently ("drop") or answers with TCP resets ("reset").
"""
import time

from . import net as netmod


def make_schedule(rng, n_servers, seconds):
    kinds = ["kill", "pause", "halves", "leader"]
    if n_servers == 5:
        kinds += ["ring", "bridge"]
    steps, t = [], rng.uniform(2, 4)
    while True:
        duration = round(rng.uniform(2, 6), 2)
        if t + duration > seconds:
            break
        kind = rng.choice(kinds)
        step = {"at": round(t, 2), "kind": kind, "duration": duration}
        if kind in ("kill", "pause"):
            step["target"] = "leader" if rng.random() < 0.5 else rng.randint(1, n_servers)
        else:
            step["mode"] = rng.choice(["drop", "reset"])
            sids = list(range(1, n_servers + 1))
            rng.shuffle(sids)
            step["order"] = sids  # halves: the minority first; ring/bridge: the layout
            step["minority"] = rng.randint(1, (n_servers - 1) // 2)
        steps.append(step)
        t += duration + rng.uniform(1.5, 4)
    return steps


def describe(step):
    if step["kind"] in ("kill", "pause"):
        what = "%s %s" % (step["kind"], step["target"])
    elif step["kind"] == "leader":
        what = "partition(%s) leader alone" % step["mode"]
    else:
        sids = sorted(step["order"])
        what = "partition(%s) %s" % (step["mode"], partition(step, sids)[1])
    return "t=%5.1fs %-48s for %.1fs" % (step["at"], what, step["duration"])


def partition(step, sids, leader=None):
    """The cut map ({sid: sids it cannot reach}, symmetric) of a partition step and a
    description. leader: the leader's id, for kind "leader" (resolved by the caller)."""
    kind, order = step["kind"], step["order"]
    if kind == "halves":
        minority = set(order[:step["minority"]])
        rest = set(sids) - minority
        return (netmod.components([minority, rest], sids),
                "%s | %s" % (sorted(minority), sorted(rest)))
    if kind == "leader":
        return (netmod.components([{leader}, set(sids) - {leader}], sids),
                "leader server.%d alone" % leader)
    if len(sids) != 5:
        raise ValueError("a %s partition needs 5 servers, not %d" % (kind, len(sids)))
    if kind == "ring":
        # Jepsen's majorities-ring: each server sees itself and its two ring neighbours (a
        # majority of 5), and no two servers see the same majority.
        links = {s: {order[(i - 1) % 5], order[(i + 1) % 5]} for i, s in enumerate(order)}
        return netmod.from_links(links, sids), "ring %s" % "-".join(map(str, order))
    if kind == "bridge":
        # Jepsen's bridge: order[0] joins {order[1], order[2]} and {order[3], order[4]}; both
        # sides hold a majority with the bridge, which neither side sees through.
        b, l1, l2, r1, r2 = order
        links = {b: {l1, l2, r1, r2}, l1: {b, l2}, l2: {b, l1}, r1: {b, r2}, r2: {b, r1}}
        return (netmod.from_links(links, sids),
                "bridge server.%d between %s and %s" % (b, [l1, l2], [r1, r2]))
    raise ValueError("unknown partition kind %r" % kind)


class Nemesis:
    """Runs on the harness's main thread (see fault_harness.py): run() returns when done."""

    def __init__(self, ensemble, network, steps, log, stop):
        self.ensemble = ensemble
        self.net = network
        self.steps = steps
        self.log = log
        self.stop_event = stop
        self.done = []
        self.error = None

    def run(self):
        try:
            t0 = time.monotonic()
            for step in self.steps:
                if self.stop_event.wait(max(0.0, t0 + step["at"] - time.monotonic())):
                    return
                self._apply(step)
                self.stop_event.wait(step["duration"])
                self._heal()
                self.done.append(step)
        except Exception as e:  # noqa: BLE001 - reported by the harness
            self.error = e
            self.log("nemesis error: %r" % e)
        finally:
            self._heal()

    def _resolve(self, target):
        if target == "leader":
            sid = self.ensemble.leader()
            return sid if sid is not None else 1, sid is not None
        return target, False

    def _apply(self, step):
        sids = self.ensemble.sids
        kind = step["kind"]
        if kind in ("kill", "pause"):
            sid, was_leader = self._resolve(step["target"])
            s = self.ensemble.servers[sid]
            self.log("nemesis: %s server.%d%s for %.1fs" % (
                "SIGKILL" if kind == "kill" else "SIGSTOP", sid,
                " (leader)" if was_leader else "", step["duration"]))
            if kind == "kill":
                s.kill()
            else:
                s.pause()
            return
        leader = self._resolve("leader")[0] if kind == "leader" else None
        cut, what = partition(step, sids, leader)
        self.log("nemesis: partition (%s) %s for %.1fs" % (step["mode"], what, step["duration"]))
        self.net.apply(cut, step["mode"])

    def _heal(self):
        healed = []
        if any(self.net.cut.values()):
            self.net.heal()
            healed.append("network")
        for s in self.ensemble.servers.values():
            if s.paused:
                s.resume()
                healed.append("SIGCONT server.%d" % s.sid)
            elif not s.running:
                s.start()
                healed.append("restart server.%d" % s.sid)
        if healed:
            self.log("nemesis: heal: %s" % ", ".join(healed))
