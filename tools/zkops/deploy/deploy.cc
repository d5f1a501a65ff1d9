#include "deploy/deploy.h"

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <sstream>

#include "deploy/plan.h"
#include "deploy/remote.h"
#include "deploy/rolling.h"
#include "deploy/sync.h"
#include "inventory/check.h"
#include "inventory/command_line.h"
#include "provision/provision.h"
#include "server/process.h"
#include "status/assess.h"
#include "status/probe.h"
#include "status/render.h"

namespace zkops::deploy {
namespace {

using inventory::RenderedServer;

std::string Label(const RenderedServer& s) {
  std::string where = s.local() ? "this machine" : "ssh " + s.ssh;
  return "server." + std::to_string(s.id) + " (" + s.name + ", " + where + ")";
}

std::string Indent(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    if (!line.empty()) out += "    " + line + "\n";
  }
  return out;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// Runs `zkops ...` as installed on the server's host.
class InstalledZkops : public ServerOps {
 public:
  InstalledZkops(std::map<uint64_t, std::unique_ptr<Executor>>* executors, double await_s)
      : executors_(executors), await_s_(await_s) {}

  ExecResult Run(const RenderedServer& s, std::vector<std::string> args, double timeout_s) {
    args.insert(args.begin(), s.install_dir + "/bin/zkops");
    return executors_->at(s.id)->Run(args, timeout_s);
  }
  int Stop(const RenderedServer& s, std::string* output) override {
    return Report(Run(s, {"server", "stop", s.zoo_cfg_path}, 60), output);
  }
  int Start(const RenderedServer& s, std::string* output) override {
    return Report(Run(s, {"server", "start", s.zoo_cfg_path}, await_s_ + 30), output);
  }
  int Transfer(const RenderedServer& s, std::string* output) override {
    return Report(Run(s, {"server", "transfer", "--to", "any", s.zoo_cfg_path}, 60), output);
  }

 private:
  static int Report(const ExecResult& r, std::string* output) {
    *output = r.output;
    return r.exit_code;
  }
  std::map<uint64_t, std::unique_ptr<Executor>>* executors_;
  double await_s_;
};

status::EnsembleStatus ProbeCluster(const inventory::RenderedCluster& cluster) {
  std::vector<status::Target> targets;
  for (const RenderedServer& server : cluster.servers) {
    status::Target t;
    t.name = "server." + std::to_string(server.id);
    t.host = server.host;
    t.client_port = server.client_port;
    t.expected_id = static_cast<int64_t>(server.id);
    targets.push_back(std::move(t));
  }
  status::ProbeOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  return status::Assess(status::ProbeAll(targets, options));
}

// One ssh round trip per distinct target, all at once: reachable without a password, and
// rsync present there. "" when fine, else why not.
std::map<std::string, std::string> ProbeSshTargets(const std::vector<std::string>& targets) {
  std::map<std::string, std::future<ExecResult>> pending;
  for (const std::string& t : targets) {
    if (pending.count(t)) continue;
    pending[t] = std::async(std::launch::async, [t] {
      return RunProcess(SshArgv(t, "command -v rsync >/dev/null || echo 'rsync is not installed "
                                   "there'; echo zkops-deploy-ok"),
                        30);
    });
  }
  std::map<std::string, std::string> problems;
  for (auto& [t, f] : pending) {
    ExecResult r = f.get();
    std::string why;
    if (r.exit_code != 0 || r.output.find("zkops-deploy-ok") == std::string::npos) {
      why = "ssh failed (exit " + std::to_string(r.exit_code) + "): " + r.output;
    } else if (r.output.find("rsync is not installed") != std::string::npos) {
      why = "rsync is not installed there";
    }
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    problems[t] = why;
  }
  return problems;
}

// The plan for a server on another host in a dry run, which contacts no host: every file is
// named for rsync (--checksum then skips identical ones), and whether zknode runs there, which
// decides start or restart, is unknown.
std::string DryRunRemote(const RenderedServer& s, size_t file_count, bool no_restart) {
  std::ostringstream out;
  out << Label(s) << ":\n"
      << "  install   " << s.install_dir << ": would sync " << file_count << " files to " << s.ssh
      << " (rsync --checksum sends only those whose content differs)\n"
      << "  zoo.cfg   " << s.zoo_cfg_path << ": would be provisioned there (not compared)\n"
      << "  zknode    not asked (host not contacted)\n"
      << "  action    start if not running; "
      << (no_restart ? "restart skipped (--no-restart)" : "rolling restart if anything changed")
      << "\n";
  return out.str();
}

struct ServerWork {
  const RenderedServer* server = nullptr;
  ServerChange change;
  Action action = Action::kNothing;
};

}  // namespace

int RunDeploy(const DeployOptions& options, std::ostream& out, std::ostream& err) {
  // 1. Preflight: nothing below changes anything until every check passed.
  inventory::LoadedCluster loaded;
  if (zk::Status s = inventory::LoadCluster(options.inventory, options.env, &loaded); !s.ok()) {
    err << "zkops deploy: " << s.message() << "\nzkops deploy: stopped before any change\n";
    return kDeployPreflight;
  }
  const inventory::RenderedCluster& cluster = loaded.cluster;
  std::string build_root = options.build_root;
  if (build_root.empty()) build_root = BuildRootFor(server::SelfExeDir());
  const std::vector<std::string> files = InstallFiles(cluster);

  inventory::CheckOptions check_options;
  check_options.plugin_dir = cluster.env->plugin_dir.empty()
                                 ? build_root + "/" + ZK_PLUGIN_REL_DIR
                                 : cluster.env->plugin_dir;
  inventory::CheckReport report = inventory::CheckCluster(cluster, check_options);
  for (const inventory::Finding& f : report.findings) out << f.ToString() << "\n";
  if (report.errors() > 0) {
    err << "zkops deploy: " << options.inventory << ": " << report.errors()
        << " error(s) (see above, as `zkops check` reports them); stopped before any change\n";
    return kDeployPreflight;
  }
  std::vector<const RenderedServer*> servers;
  if (options.servers.empty()) {
    for (const RenderedServer& s : cluster.servers) servers.push_back(&s);
  } else {
    for (uint64_t id : options.servers) {
      std::vector<const RenderedServer*> one;
      if (zk::Status s = inventory::SelectServers(cluster, id, &one); !s.ok()) {
        err << "zkops deploy: " << s.message() << "; stopped before any change\n";
        return kDeployPreflight;
      }
      servers.push_back(one[0]);
    }
  }
  if (zk::Status s = CheckBuildFiles(build_root, files); !s.ok()) {
    err << "zkops deploy: " << s.message() << "; stopped before any change\n";
    return kDeployPreflight;
  }
  out << "deploy: cluster '" << cluster.cluster << "', environment '" << cluster.environment
      << "', " << servers.size() << " server" << (servers.size() == 1 ? "" : "s") << " from "
      << build_root << " (" << Join(files) << ")" << (options.dry_run ? " [dry run]" : "")
      << "\n";

  std::vector<std::string> ssh_targets;
  for (const RenderedServer* s : servers) {
    if (!s->local()) ssh_targets.push_back(s->ssh);
  }
  if (options.dry_run && !ssh_targets.empty()) {
    // A dry run contacts no other host, not even to check it answers: its plan for an ssh
    // server says what would be sent and decided there (DryRunRemote).
    out << "deploy: dry run: " << ssh_targets.size() << " server"
        << (ssh_targets.size() == 1 ? "" : "s") << " over ssh, not contacted\n";
  } else if (!ssh_targets.empty()) {
    std::map<std::string, std::string> problems = ProbeSshTargets(ssh_targets);
    int bad = 0;
    for (const RenderedServer* s : servers) {
      if (s->local() || problems[s->ssh].empty()) continue;
      ++bad;
      err << "zkops deploy: " << s->spec->place.ToString() << ": " << Label(*s) << ": "
          << problems[s->ssh] << "\n";
    }
    if (bad > 0) {
      err << "zkops deploy: " << bad << " server" << (bad == 1 ? "" : "s")
          << " unreachable over ssh (BatchMode; options from $ZKOPS_SSH_OPTS); stopped before "
             "any change\n";
      return kDeployPreflight;
    }
    out << "deploy: every ssh target answered (" << problems.size() << ")\n";
  }

  // 2. Install, provision, firewall, one server after another.
  std::map<uint64_t, std::unique_ptr<Executor>> executors;
  for (const RenderedServer& s : cluster.servers) {
    executors[s.id] = s.local() ? MakeLocalExecutor() : MakeSshExecutor(s.ssh);
  }
  InstalledZkops ops(&executors, options.await_s);
  std::vector<ServerWork> work;
  int transferred = 0, config_changes = 0, not_contacted = 0;
  const std::string inventory_abs = std::filesystem::absolute(options.inventory).string();
  for (const RenderedServer* s : servers) {
    if (options.dry_run && !s->local()) {
      out << DryRunRemote(*s, files.size(), options.no_restart);
      ++not_contacted;
      continue;
    }
    ServerWork w;
    w.server = s;
    w.change.id = s->id;
    Executor& exec = *executors[s->id];
    out << Label(*s) << ":\n";
    zk::Status st = s->local() ? SyncLocal(build_root, files, s->install_dir, options.dry_run,
                                           &w.change.changed_files)
                               : SyncRemote(build_root, files, s->ssh, s->install_dir,
                                            options.dry_run, &w.change.changed_files);
    if (!st.ok()) {
      err << "zkops deploy: " << Label(*s) << ": install: " << st.message() << "\n";
      return kDeployFailed;
    }
    transferred += static_cast<int>(w.change.changed_files.size());
    out << "  install   " << s->install_dir << ": "
        << (w.change.changed_files.empty()
                ? std::string("unchanged")
                : std::string(options.dry_run ? "would update " : "updated ") +
                      Join(w.change.changed_files))
        << "\n";

    // Running? Asked of the installed zkops (pidfile + srvr), before zoo.cfg changes.
    ExecResult cur = exec.Run({"cat", s->zoo_cfg_path}, 30);
    const bool has_cfg = cur.exit_code == 0;
    if (has_cfg) {
      ExecResult st_run = exec.Run({s->install_dir + "/bin/zkops", "server", "status",
                                    "--timeout", "2", s->zoo_cfg_path},
                                   30);
      w.change.running = st_run.exit_code != 1 && st_run.exit_code != 2 &&
                         st_run.exit_code != 127 && st_run.exit_code >= 0;
    }
    w.change.config_changed = !has_cfg || cur.output != s->zoo_cfg;
    if (w.change.config_changed && has_cfg) ++config_changes;
    out << "  zoo.cfg   " << s->zoo_cfg_path << ": "
        << (!has_cfg ? "new" : w.change.config_changed ? "changed" : "unchanged") << "\n";
    out << "  zknode    " << (w.change.running ? "running" : "not running") << "\n";

    if (options.dry_run) {
      out << "  provision (skipped: dry run)\n";
    } else if (s->local()) {
      provision::ServerOutcome po = provision::ProvisionServer(cluster, *s, provision::Options{});
      for (const provision::Step& step : po.steps) {
        if (step.action != provision::Step::Action::kUnchanged) {
          out << "  " << provision::FormatStep(step, false) << "\n";
        }
      }
      if (po.refused || !po.error.ok()) {
        err << "zkops deploy: " << Label(*s) << ": provision "
            << (po.refused ? "refused (see REFUSED above; `zkops provision --force` overrides)"
                           : po.error.message())
            << "\n";
        return kDeployFailed;
      }
      out << "  provision " << (po.changes() == 0 ? "unchanged" : std::to_string(po.changes()) +
                                                                      " change(s)")
          << "\n";
    } else {
      // The inventory goes next to the installed zkops, under its own name.
      std::filesystem::path inv_path(inventory_abs);
      const std::string remote_inv = s->install_dir + "/" + inv_path.filename().string();
      std::vector<std::string> ignored;
      if (zk::Status is = SyncRemote(inv_path.parent_path().string(),
                                     {inv_path.filename().string()}, s->ssh, s->install_dir,
                                     false, &ignored);
          !is.ok()) {
        err << "zkops deploy: " << Label(*s) << ": copying the inventory: " << is.message()
            << "\n";
        return kDeployFailed;
      }
      ExecResult pr = exec.Run({s->install_dir + "/bin/zkops", "provision", "--server",
                                std::to_string(s->id), "-i", remote_inv, "--env",
                                cluster.environment},
                               120);
      if (pr.exit_code != 0) {
        err << "zkops deploy: " << Label(*s) << ": remote provision failed (exit "
            << pr.exit_code << "):\n"
            << Indent(pr.output);
        return kDeployFailed;
      }
      out << "  provision (remote)\n" << Indent(pr.output);
    }

    if (!options.firewall.empty() && !options.dry_run) {
      const std::string inv =
          s->local() ? inventory_abs
                     : s->install_dir + "/" +
                           std::filesystem::path(inventory_abs).filename().string();
      ExecResult fw = exec.Run({s->install_dir + "/bin/zkops", "firewall", "--format",
                                options.firewall, "--apply", "--server", std::to_string(s->id),
                                "-i", inv, "--env", cluster.environment},
                               60);
      if (fw.exit_code != 0) {
        err << "zkops deploy: " << Label(*s) << ": firewall --apply failed (exit "
            << fw.exit_code << "):\n"
            << Indent(fw.output);
        return kDeployFailed;
      }
      out << "  firewall  " << options.firewall << " applied\n";
    }
    w.action = Decide(w.change, options.no_restart);
    out << "  action    " << ActionName(w.action) << "\n";
    work.push_back(std::move(w));
  }

  // 3. Start what does not run, then roll what changed.
  int started = 0, would_start = 0;
  std::vector<uint64_t> to_restart;
  for (const ServerWork& w : work) {
    if (w.action == Action::kRestart) to_restart.push_back(w.server->id);
    if (w.action != Action::kStart) continue;
    if (options.dry_run) {
      out << "would start " << Label(*w.server) << "\n";
      ++would_start;
      continue;
    }
    out << "start " << Label(*w.server) << "\n" << std::flush;
    std::string output;
    int rc = ops.Start(*w.server, &output);
    out << Indent(output);
    if (rc != 0) {
      err << "zkops deploy: " << Label(*w.server) << ": start failed (exit " << rc << ")\n";
      return kDeployFailed;
    }
    ++started;
  }
  if (options.dry_run) {
    for (uint64_t id : to_restart) out << "would restart server." << id << " (rolling)\n";
    out << "deploy --dry-run: would update " << transferred << " file"
        << (transferred == 1 ? "" : "s") << ", change " << config_changes << " zoo.cfg, start "
        << would_start << ", restart " << to_restart.size();
    if (not_contacted > 0) {
      out << " on this machine; " << not_contacted << " server" << (not_contacted == 1 ? "" : "s")
          << " over ssh not contacted (up to " << files.size() << " files each)";
    }
    out << "; nothing was changed\n";
    return kDeployOk;
  }
  const auto await = std::chrono::milliseconds(static_cast<int64_t>(options.await_s * 1000));
  Prober probe = [&cluster] { return ProbeCluster(cluster); };
  if (started > 0) {
    status::EnsembleStatus st;
    out << "deploy: waiting for the ensemble to serve\n" << std::flush;
    if (!AwaitHealthy(probe, await, std::chrono::milliseconds(200), &st)) {
      out << status::RenderTable(st);
      err << "zkops deploy: the ensemble is " << status::VerdictName(st.verdict) << " after "
          << "starting " << started << " server(s): " << st.summary << "\n";
      return kDeployFailed;
    }
    out << "deploy: ensemble healthy: " << st.summary << "\n";
  }
  std::vector<uint64_t> restarted;
  if (!to_restart.empty()) {
    RollingOptions ro;
    ro.await = await;
    ro.progress = [&out](const std::string& line) { out << line << "\n" << std::flush; };
    RollingResult rr = RollingRestart(cluster, to_restart, ops, probe, ro);
    restarted = rr.restarted;
    if (!rr.status.ok()) {
      err << "zkops deploy: rolling restart " << (rr.refused ? "refused" : "stopped") << ": "
          << rr.status.message() << "\n";
      return kDeployRollFailed;
    }
  }
  if (transferred == 0 && config_changes == 0 && started == 0 && restarted.empty()) {
    out << "deploy: nothing changed: no file transferred, nothing restarted\n";
  } else {
    std::vector<std::string> ids;
    for (uint64_t id : restarted) ids.push_back("server." + std::to_string(id));
    out << "deploy: done: " << transferred << " file" << (transferred == 1 ? "" : "s")
        << " transferred, " << config_changes << " zoo.cfg changed, " << started << " started, "
        << restarted.size() << " restarted" << (ids.empty() ? "" : " (" + Join(ids) + ")")
        << "\n";
  }
  return kDeployOk;
}

}  // namespace zkops::deploy
