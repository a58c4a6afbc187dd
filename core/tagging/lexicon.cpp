// The word-class lists and their lookup: one compile-time open-addressing table keyed by a hash
// of the word, so a lookup is a hash and (nearly always) one probe.
#include "core/tagging/lexicon.hpp"

#include "core/tagging/hash.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ib::tagging {
namespace {

using sv = std::string_view;

// ---- the lists (lowercase; base forms for verbs, singular for nouns: look_up inflects) ----

constexpr sv k_hedge[] = {
    "apparently", "appear", "appears", "arguably", "assume", "assuming", "bet", "betting", "could",
    "educated", "feel", "feeling", "feels", "gut", "guess", "guessing", "hunch", "hypothesis",
    "hypothesize", "hypothesise", "idea", "imagine", "likely", "look", "looks", "may", "maybe",
    "might", "money's", "must", "odds", "perhaps", "plausible", "plausibly", "possible", "possibly",
    "presumably", "prob", "probably", "prolly", "reckon", "seem", "seemingly", "seems", "smell",
    "smells", "sound", "sounds", "speculate", "speculating", "suppose", "supposedly", "suspect",
    "suspicion", "suspicious", "theory", "think", "thinking", "wager", "wonder",
    "wondering", "feeling", "believe", "suspecting", "chance", "potentially", "conceivably", "mby",
    "mayb", "maaaybe", "iirc", "afaict", "afaik",
    "unlikely", "doubt", "doubtful", "probable", "suspected", "candidate", "fishy", "coincidence",
    "inkling", "might've", "must've", "could've", "may've", "mightve", "mustve", "couldve", "presumed",
    "allegedly", "speculation", "possibility", "chances", "prime", "hypothetically", "theoretically",
    // chat spellings and typos of the above
    "tink", "thnk", "thinkin", "mabye", "maybee", "probly", "probaly", "propably", "probs", "prbly", "guessin",
    "sus", "suspec", "belive", "beleive", "proly", "lookslike", "seemslike", "wonderin", "imo", "imho",
    // other languages seen in multilingual teams
    "acho", "achas", "talvez", "provavelmente", "parece", "vermutlich", "vielleicht",
    "wahrscheinlich", "glaube", "scheint", "peut-être", "peut-etre", "probablement", "semble",
    "dirait", "quizás", "quizas", "tal", "creo", "parece", "capaz", "forse", "sembra",
    "probabilmente", "misschien", "waarschijnlijk",
    "leaning", "vermute", "vermuten", "pense", "penso", "creio", "sospecho", "supongo", "sospetto", "hunch",
};

constexpr sv k_cause[] = {
    "because", "cause", "caused", "causing", "culprit", "due", "explain", "explains", "explanation",
    "trigger", "triggered", "triggering", "root", "why", "result", "resulting",
    "fallout", "consequence", "related", "correlate", "correlates", "correlated", "coincide",
    "coincides", "matches", "match", "fits", "blame", "source", "origin",
    "tripping", "eating", "hammering", "starving", "choking", "amplify", "amplifying",
    "side-effect", "regression", "regressed", "introduced", "fit", "mean", "means",
};

constexpr sv k_system[] = {
    "alb", "api", "app", "autoscaler", "backend", "backup", "balancer", "batch", "bgp", "broker",
    "bucket", "build", "bundle", "cache", "canary", "cdn", "cert", "certificate", "cgroup",
    "cluster", "config", "configuration", "connection", "consul", "consumer", "container",
    "controller", "cookie", "cpu", "cron", "cronjob", "daemon", "database", "db", "dependency",
    "deploy", "deployment", "disk", "dns", "driver", "edge", "elb", "endpoint", "etcd", "firewall",
    "flag", "gateway", "gc", "handshake", "heap", "host", "hypervisor", "image", "index", "ingress",
    "instance", "iops", "jvm", "kafka", "kernel", "key", "lb", "library", "limiter", "link", "load",
    "lock", "log", "memory", "mesh", "migration", "module", "mtu", "mutex", "network", "nginx",
    "node", "ntp", "partition", "patch", "peer", "pipeline", "pod", "policy", "pool", "port",
    "postgres", "primary", "process", "producer", "provider", "proxy", "queue", "quota", "rabbit",
    "redis", "region", "release", "replica", "replication", "resolver", "route", "router", "rule",
    "runner", "schema", "script", "secret", "server", "service", "session", "shard", "sidecar",
    "socket", "ssl", "storage", "subnet", "switch", "table", "thread", "tls", "token", "topic",
    "traffic", "trigger", "upstream", "version", "vm", "vpc", "vpn", "waf", "webhook", "worker",
    "zone", "zookeeper", "client", "sdk", "job", "task", "scheduler", "rollout", "change", "commit",
    "pr", "feature", "vacuum", "wal", "checkpoint", "timer", "clock", "leader", "election", "raft",
    "quorum", "health", "healthcheck", "probe", "keepalive", "retry", "retries", "backoff",
    "dependency", "filesystem", "inode", "volume", "snapshot", "iam", "role", "permission", "oauth",
    "saml", "sso", "idp", "certs", "ca", "chain", "intermediate", "mysql", "mongo", "elasticsearch",
    "es", "cassandra", "memcached", "varnish", "haproxy", "envoy", "istio", "lambda", "s3", "ec2",
    "rds", "gke", "eks", "aks", "k8s", "kubernetes", "hpa", "cni", "kubelet", "regex", "payload",
    "query", "queries", "request", "header", "tcp", "udp", "http", "grpc", "cipher", "arp", "vlan",
    "fiber", "transit", "prefix", "anycast", "pop", "datacenter", "dc", "rack", "firmware", "bios",
    "nic", "raid", "ssd", "capacity", "plugin", "package", "backend", "frontend", "agent", "ttl",
};

constexpr sv k_failure[] = {
    "bottleneck", "break", "breaking", "broke", "broken", "bug", "buggy", "contention", "corrupt",
    "corrupted", "corruption", "crash", "crashed", "crashing", "crashloop", "deadlock", "degraded",
    "down", "drift", "drop", "dropped", "dropping", "error", "evicted", "exhausted", "exhaustion",
    "expire", "expired", "fail", "failed", "failing", "failure", "flaky", "flapping", "full",
    "hang", "hanging", "hung", "lag", "lagging", "latency", "leak", "leaking", "leaky", "loop",
    "misconfigured", "misconfig", "missing", "oom", "oomkilled", "outage", "overload", "overloaded",
    "overwhelmed", "panic", "race", "saturated", "saturating", "saturation", "slow", "spike",
    "stale", "starved", "starvation", "storm", "stuck", "surge", "thrashing", "throttle",
    "throttled", "throttling", "timeout", "timing", "unhealthy", "unreachable", "wrong",
    "wraparound", "overflow", "bloat", "backlog", "backpressure", "herd", "thundering",
    "split-brain", "flood", "flooding", "blackhole", "blackholing", "misrouted", "loss", "reject",
    "rejecting", "refused", "refusing", "noisy", "runaway", "choke", "stall", "stalled", "stalling",
    "wedged", "pegged", "maxed", "filling", "filled", "clobbered", "collision", "mismatch", "skew",
    "misfire", "misfiring", "double-fire", "duplicate", "knocked", "eviction", "degradation",
};

// Verbs of acting on the system or on the response (paging people, opening vendor tickets).
constexpr sv k_op_verb[] = {
    "abort", "add", "apply", "archive", "backfill", "ban", "block", "bounce", "bump", "cancel",
    "cap", "capture", "clear", "cordon", "create", "cut", "cycle", "decommission", "decrease",
    "delete", "deploy", "detach", "disable", "divert", "double", "downgrade", "downscale", "drain",
    "drop", "dump", "enable", "escalate", "evacuate", "evict", "expand", "extend", "fail",
    "failback", "failover", "fence", "fix", "flip", "flush", "force", "freeze", "halt", "hotfix",
    "increase", "invalidate", "isolate", "kill", "kick", "lift", "limit", "lower", "merge",
    "migrate", "mitigate", "move", "mute", "null-route", "offload", "page", "patch", "pause", "pin",
    "power-cycle", "promote", "provision", "prune", "pull", "purge", "push", "quarantine", "raise",
    "rate-limit", "reboot", "rebalance", "rebuild", "recreate", "redeploy", "redirect", "reduce",
    "reenable", "re-enable", "refresh", "regenerate", "reimage", "reindex", "reinstall", "reissue",
    "release", "reload", "remount", "remove", "renew", "reprovision", "replace", "replay",
    "repoint", "requeue", "rerun", "reroute", "reset", "resize", "restart", "restore", "resume",
    "resync", "retry", "revert", "revoke", "roll", "rollback", "rotate", "route", "run", "scale",
    "shed", "shift", "ship", "shut", "shutdown", "silence", "snapshot", "spin", "start", "stop",
    "suspend", "swap", "switch", "terminate", "throttle", "toggle", "trigger", "truncate", "turn",
    "unblock", "uncordon", "undo", "unfreeze", "unpin", "update", "upgrade", "upsize", "vacuum",
    "wipe", "whitelist", "allowlist", "blocklist", "blacklist", "deprioritize", "reprioritize",
    "stage", "warm", "rekey", "reclaim", "free", "grow", "shrink", "pre-warm", "drainer", "call",
    "loop", "escalating", "open", "file", "raise", "invite", "contact", "engage", "wake", "bring",
    "set", "build", "write", "roll-back", "fail-over", "cutover", "cut-over", "re-run", "re-deploy",
    "re-route", "tweak", "adjust", "bypass", "override", "reconfigure", "disconnect", "reconnect",
    "detach", "attach", "backport", "cherry-pick", "revert", "requeue", "reprocess", "reconcile",
    "repair", "recover", "rescue", "salvage", "copy", "sync", "replicate", "resubmit", "reapply",
    "lock", "unlock", "export", "import", "enter", "eject", "refund", "point", "blackhole",
    "change", "edit", "tune", "mark", "land", "lift", "unpause", "unmute", "unset", "install",
    "uninstall", "clean", "cleanup", "empty", "load", "unload", "seal", "unseal", "wire",
    "hard-code", "hardcode", "comment", "uncomment", "rewrite", "patch", "drop", "kick", "ramp",
    "dial", "bleed", "steer", "pivot", "rename", "mount", "unmount", "format", "expire", "rotate",
    "reboot", "recycle", "respawn", "reschedule", "backfill", "rehydrate",
    // more verbs of changing a system, in the forms chat uses
    "nuke", "zap", "skip", "park", "issue", "exclude", "upload", "resend", "rebroadcast", "e-stop", "estop",
    "zero", "hold", "unhold", "submit", "take", "send", "trust", "distrust", "allow", "deny", "crank", "nudge",
    "tighten", "loosen", "relax", "harden", "uncap", "unthrottle", "ratelimit", "re-point", "disarm", "arm",
    "disengage", "activate", "deactivate", "denylist", "geoblock", "sinkhole", "reissue", "retrigger",
    "re-trigger", "redrive", "re-drive", "undrain", "reshard", "repartition", "defrag", "compact", "cull",
    "scrub", "clone", "backup", "reclone", "rollout", "roll-out", "canary", "demote", "stonith", "segregate",
    "split", "switchover", "fail-back", "downsize", "rightsize", "thaw", "power-cycle", "powercycle", "reseat",
    "reflash", "flash", "commission", "deprovision", "register", "deregister", "unregister", "withdraw",
    "advertise", "depref", "de-pref", "prepend", "mirror", "seed", "reseed", "prewarm", "preload", "bust",
    "summon", "keep", "hotpatch", "hot-patch", "engage", "re-enable", "reenable", "reinstate", "reactivate",
    "reassign", "rebind", "rebalance", "reroute", "rollforward", "roll-forward", "fix-forward", "pause",
    // other languages in multilingual teams
    "starte", "neustart", "deploye", "setze", "stoppe", "reinicio", "reiniciando", "subindo",
    "fazendo", "aplicando", "derrubando", "revertendo", "desplegando", "revirtiendo", "redéploie",
    "redémarre", "remets", "relance", "reinicie", "reiniciar", "rollback",
    "put", "close", "assign", "upped", "upping", "desactivar", "desactivé", "desactivo", "desativei", "desativar", "reinicié", "reiniciei", "proceed", "teardown", "tear", "apagué", "abschalten", "deaktiviert", "deaktiviere", "redémarré", "désactivé", "coupé",
};

// Verbs of investigating: reading the system, not changing it.
constexpr sv k_look_verb[] = {
    "check", "compare", "confirm", "correlate", "debug", "diff", "dig", "examine", "explore",
    "grep", "inspect", "investigate", "look", "monitor", "observe", "profile", "query", "read",
    "reproduce", "repro", "review", "scan", "search", "skim", "tail", "test", "trace", "verify",
    "watch", "eyeball", "peek", "poke", "sanity-check", "double-check", "figure", "triage",
    "bisect", "analyze", "analyse", "audit", "measure", "sample", "probe", "validate",
};

// Verbs of telling people (customers, stakeholders, the company).
constexpr sv k_comms_verb[] = {
    "announce", "apologise", "apologize", "brief", "broadcast", "communicate", "draft", "email",
    "forward", "inform", "message", "notify", "post", "publish", "reach", "reassure", "reply",
    "respond", "tell", "tweet", "update", "warn", "word", "dm", "call", "text", "sms", "cc", "loop",
    "escalate", "ping", "alert", "advise", "answer", "share", "send", "relay", "explain", "debrief",
    "report", "acknowledge", "ack", "pin", "retweet", "edit", "reword", "sign", "approve",
    "told", "write", "letter", "mail", "avisou", "avisar", "avisando", "informiert",
    "informé", "prévenu", "notificado", "comunicado", "benachrichtigt", "reassured", "updated",
    "heads-up",
};

// People outside the responders who are kept informed.
constexpr sv k_audience[] = {
    "account", "accounts", "admin", "admins", "am", "ams", "auditor", "board", "bank", "buyer",
    "c-level", "c-suite", "cco", "ceo", "cfo", "cio", "ciso", "client", "comms", "community",
    "compliance", "coo", "cpo", "cs", "csm", "cso", "cto", "customer", "cx", "director", "dpo",
    "editor", "enterprise", "exec", "executive", "execs", "fans", "finance", "founder", "founders",
    "government", "journalist", "leadership", "legal", "management", "manager", "marketing",
    "media", "member", "merchant", "members", "ombudsman", "owner", "partner", "patient",
    "patients", "player", "players", "pr", "president", "press", "public", "regulator",
    "regulators", "reporter", "reseller", "sales", "shopper", "stakeholder", "student",
    "subscriber", "support", "svp", "tam", "tams", "tenant", "tenants", "user", "users", "vip",
    "vp", "vps", "helpdesk", "servicedesk", "zendesk", "intercom", "freshdesk", "salesforce",
    "agents", "care", "success", "csms", "cms", "moderators", "mods", "newsroom", "investor",
    "investors", "insurer", "auditors", "authority", "authorities", "fca", "sec", "bafin", "ico",
    "cnil", "hipaa", "gdpr", "hospital", "clinic", "school", "university", "clinicians", "doctors",
    "nurses", "drivers", "riders", "sellers", "developers", "devrel", "everyone", "company", "org",
    "all-hands", "company-wide", "staff", "employees", "hr", "owners", "stores", "franchise",
    "partners", "affiliates", "advertisers", "publishers", "head", "liaison", "mgr", "spoc",
    "business", "kunde", "kunden", "cliente", "clientes", "customer-facing", "user-facing",
    "officer", "officers", "rep", "reps", "representative", "representatives", "registrar", "provost", "dean",
    "supervisor", "supervisors", "superintendent", "coordinator", "cmo", "cro", "chro", "counsel", "attorney",
    "lawyer", "lawyers", "broker", "brokers", "proctor", "proctors", "instructor", "instructors", "faculty",
    "teachers", "parents", "guests", "passengers", "travelers", "travellers", "viewers", "listeners", "creators",
    "residents", "callers", "claimants", "prescribers", "sponsor", "sponsors", "promoter", "gm",
    "stakeholders", "execs", "leads", "advertisers", "shippers", "carriers", "people",
    "merchant-facing", "externally", "external",
    "chief", "minister", "ministry", "mayor", "governor", "council", "secretary",
    "editor-in-chief", "integrator", "integrators", "treasury", "helpline", "citizen", "citizens", "franchisee",
    "franchisees", "retailer", "retailers", "dealer", "dealers", "agency", "agencies", "newsdesk", "händler", "kundeninfo", "clientela", "usuarios", "utilisateurs", "nutzer",
};

constexpr sv k_comms_item[] = {
    "advisory", "announcement", "banner", "blog", "bulletin", "comms", "communication",
    "communications", "copy", "email", "faq", "hotline", "incident.io", "kb", "letter", "macro",
    "macros", "memo", "message", "messaging", "newsletter", "notice", "notification", "post",
    "postmortem", "press", "reply", "release", "response", "rfo", "script", "statement",
    "statuspage", "statuspage.io", "status-page", "status.io", "talking", "template", "ticket",
    "tickets", "tweet", "update", "wording", "writeup", "write-up", "summary", "eta", "points",
    "paragraph", "canned", "faq", "broadcast", "sms", "push", "in-app", "changelog", "credits",
    "credit", "refund", "refunds", "compensation", "apology", "twitter", "x.com", "linkedin",
    "reddit", "discord", "forum", "mastodon", "bluesky", "facebook", "instagram", "slack-connect",
    "portal", "page", "site", "downdetector", "complaint", "complaints", "voicemail", "greeting", "ivr", "motd", "toast", "note", "notices", "recap",
    "digest", "all-clear", "heads", "holding", "apologies", "wording", "faq", "help-center", "kb-article",
    "article", "briefing", "bulletins", "holding-statement",
};

constexpr sv k_tool[] = {
    "ansible", "ansible-playbook", "argocd", "consul", "vault", "nomad", "python3", "aws", "awk",
    "az", "bq", "certbot", "chmod", "chown", "cilium", "cp", "cqlsh", "crictl", "ctr", "curl", "df",
    "dmesg", "docker", "docker-compose", "drill", "du", "eksctl", "etcdctl", "ethtool", "fdisk",
    "flyctl", "fsck", "gcloud", "gh", "git", "grep", "gsutil", "h2load", "helm", "heroku", "htop",
    "httpie", "iftop", "ipconfig", "iostat", "iotop", "iptables", "istioctl", "jcmd", "jmap", "jq",
    "jstack", "journalctl", "k9s", "kafka-topics", "kafka-consumer-groups", "kafka-configs", "kcat",
    "kafkacat", "killall", "kubectl", "kubeadm", "kubectx", "kubens", "linkerd", "ln", "ls",
    "lsblk", "lsof", "mkdir", "mongo", "mongosh", "mongodump", "mongorestore", "mtr", "mv", "mysql",
    "mysqladmin", "mysqldump", "nc", "ncat", "netstat", "nft", "nmap", "nodetool", "nslookup", "oc",
    "openssl", "patronictl", "pg_ctl", "pg_dump", "pg_restore", "pg_basebackup", "pgbench", "pgrep",
    "pkill", "pm2", "psql", "ps", "rabbitmqctl", "rclone", "redis-cli", "rm", "rsync", "scp", "sed",
    "sqlcmd", "sqlite3", "ss", "ssh", "strace", "sudo", "supervisorctl", "swapoff", "sysctl",
    "systemctl", "tc", "tcpdump", "telnet", "terraform", "tf", "traceroute", "tracert", "uniq",
    "umount", "uptime", "vmstat", "wget", "whois", "xargs", "yq", "zcat", "zgrep", "pwsh",
    "powershell", "invoke-webrequest", "get-service", "restart-service", "get-eventlog",
    "get-winevent", "test-netconnection", "get-process", "stop-process", "set-item", "get-item",
    "resolve-dnsname", "get-aduser", "set-aduser", "nodeping", "ipmitool", "racadm", "smartctl",
    "mdadm", "zpool", "zfs", "lvs", "vgs", "pvs", "lvcreate", "blkid", "iperf", "iperf3", "arping",
    "fping", "hping3", "s3cmd", "rclone", "doctl", "linode-cli", "hcloud", "openstack", "nova",
    "virsh", "vagrant", "pulumi", "serverless", "kustomize", "skaffold", "kubetail", "ctop",
    "nerdctl", "podman", "buildah", "skopeo", "dd", "pidstat", "mpstat", "numactl", "taskset",
    "renice", "ionice", "ulimit", "lsmod", "modprobe", "update-ca-certificates", "keytool",
    "certutil", "cfssl", "ldapsearch", "kinit", "klist", "nsupdate", "rndc", "named-checkconf",
    "unbound-control", "dnsmasq", "resolvectl", "networkctl", "nmcli", "tshark", "wireshark",
    "ngrep", "socat", "conntrack", "ipvsadm", "haproxyctl", "varnishadm", "varnishlog",
    "varnishstat", "apachectl", "consul-template", "vault-agent", "sentry-cli", "datadog-agent",
    "promtool", "amtool", "logcli", "esrally", "elasticsearch-keystore", "mongostat", "mongotop",
    "redis-benchmark", "memtier_benchmark", "pg_isready", "pg_controldata", "pg_resetwal",
    "vacuumdb", "reindexdb", "clusterdb", "gsql", "snowsql", "sidekiqctl", "manage.py", "artisan",
    "kcli", "rpk", "pulsar-admin", "nats", "nsq_stat", "chronyc", "ntpq", "timedatectl",
    "hostnamectl", "loginctl", "wp", "growpart", "resize2fs", "xfs_growfs", "lvextend", "apt",
    "apt-get", "yum", "dnf", "rpm", "dpkg", "snap", "brew", "choco", "winget", "netsh", "ipconfig",
    "nbtstat", "tasklist", "taskkill", "wmic", "gpupdate", "icacls", "robocopy", "dism", "sfc",
    "bcdedit", "certreq", "klist", "setspn", "repadmin", "dcdiag", "nltest", "w32tm", "curl.exe",
    "invoke-restmethod", "get-childitem", "remove-item", "start-service", "stop-service",
    "set-service", "get-content", "select-string", "get-adcomputer", "get-aduser",
    "unlock-adaccount", "get-mailbox", "get-dnsserverresourcerecord", "kubeseal", "sops", "gpg",
    "ssh-keygen", "ssh-add", "htpasswd", "mkcert", "nghttp", "grpcurl", "websocat", "wscat",
    "bpftrace", "opensnoop", "execsnoop", "tcptop", "biolatency", "hdparm", "nvme", "multipath",
    "iscsiadm", "exportfs", "showmount", "nfsstat", "ceph", "rados", "rbd", "gluster", "mongosh",
    "redis-sentinel", "consul-kv", "kubectl-debug", "k3s", "minikube", "helmfile", "tanka",
    "jsonnet", "conftest", "trivy", "grype", "syft", "cosign", "falcoctl", "aws-vault", "saml2aws",
    "cbq", "couchbase-cli", "riak-admin", "clickhouse-client", "influx", "promql", "logcli",
    "fluentd", "fluent-bit", "td-agent", "filebeat", "metricbeat", "auditctl", "ausearch",
    "aureport", "getenforce", "setenforce", "semanage", "restorecon", "firewall-cmd", "ufw",
    "pfctl", "ipset", "ebtables", "arptables", "brctl", "ovs-vsctl", "ovs-ofctl", "birdc", "vtysh",
    "gobgp", "exabgp",
};

// Tools whose names are also English words ("cat pictures", "top of the hour", "ping me"): a
// command only with arguments or in code.
constexpr sv k_tool_word[] = {
    "cat", "clear", "crane", "crontab", "dig", "find", "flux", "free", "head", "host", "ip", "kill",
    "less", "mount", "packer", "ping", "puppet", "salt", "service", "show", "sort", "stat", "stern",
    "tail", "tar", "top", "watch", "wc",
};

// SQL that is SQL in any case ("select", "pg_stat_activity") …
constexpr sv k_sql[] = {
    "select", "vacuum", "truncate", "pg_stat_activity", "pg_terminate_backend", "pg_cancel_backend",
    "pg_stat_replication", "pg_locks", "pg_stat_statements", "processlist", "information_schema",
    "sp_who2", "dbcc", "pg_current_wal_lsn", "pg_last_wal_replay_lsn", "now()", "count(*)",
};

// … and words that are SQL only when written in capitals ("UPDATE flags SET …", "show me").
constexpr sv k_sql_caps[] = {
    "alter", "analyze", "and", "as", "begin", "by", "commit", "count", "create", "delete",
    "describe", "desc", "distinct", "drop", "exec", "explain", "from", "grant", "group", "having",
    "in", "insert", "interval", "into", "is", "join", "kill", "like", "limit", "not", "null", "on",
    "or", "order", "reindex", "revoke", "rollback", "set", "show", "table", "union", "update",
    "values", "where", "with", "get", "post", "put", "patch", "head", "options",
};

constexpr sv k_first_person[] = {
    "i", "i'm", "im", "i'll", "i've", "ive", "i'd", "id", "me", "my", "mine", "myself", "we",
    "we're", "we'll", "we've", "we'd", "us", "our", "ours", "ourselves", "lemme", "let's", "lets",
    "eu", "ich", "je", "yo", "wir", "nous", "nós", "nos", "j'ai", "io",
};

constexpr sv k_intent[] = {
    "will", "i'll", "we'll", "ill", "gonna", "going", "about", "ready", "plan", "planning", "lemme",
    "let", "let's", "lets", "next", "then", "shortly", "now", "asap", "immediately", "tonight",
    "first", "after", "once", "want", "wanna", "intend", "prepping", "preparing", "queued",
    "scheduled", "vou", "vamos", "werde", "vais",
};

constexpr sv k_modal[] = {
    "can", "could", "shall", "should", "would", "may", "ought", "need", "needs", "must",
    "shouldn't", "couldn't", "wouldn't", "can't", "cannot", "won't", "do", "does",
};

constexpr sv k_request[] = {
    "please", "pls", "plz", "someone", "somebody", "anyone", "anybody", "you", "your", "u", "y'all",
    "yall", "can", "could", "would", "mind", "help", "need", "needs", "volunteer", "who", "whoever",
    "folks", "team", "ask", "asking", "request",
};

constexpr sv k_negation[] = {
    "not", "no", "never", "nothing", "none", "nobody", "nope", "didn't", "don't", "doesn't",
    "isn't", "wasn't", "aren't", "weren't", "won't", "can't", "cannot", "haven't", "hasn't",
    "hadn't", "shouldn't", "wouldn't", "couldn't", "neither", "nor", "without", "nao", "não",
    "nicht", "kein", "pas", "didnt", "dont", "doesnt", "isnt", "wasnt", "havent", "hasnt",
};

constexpr sv k_personal[] = {
    "afk", "bathroom", "break", "breakfast", "brb", "charger", "coffee", "commute", "desk",
    "dinner", "doctor", "food", "home", "kid", "kids", "laptop", "lunch", "meeting", "nap", "phone",
    "shower", "sleep", "snack", "tea", "train", "walk", "water", "wifi", "headset", "battery",
    "car", "school", "bed", "tired", "awake", "vacation", "pto", "ooo", "offline", "mobile",
    "tablet", "bus", "airport", "flight", "plane", "hotel", "bio", "dog",
};

constexpr sv k_automation[] = {
    "automation", "automatically", "autoscaler", "autoscaling", "auto-scaler", "bot", "cron",
    "cronjob", "controller", "operator", "scheduler", "hpa", "karpenter", "terraform", "pipeline",
    "ci", "argo", "spinnaker", "jenkins", "github-actions", "actions", "watchdog", "supervisor",
    "systemd", "kubelet", "orchestrator", "playbook", "runbook", "itself", "automated", "auto",
    "self-healing", "failover", "monit", "chef", "puppet",
};

constexpr sv k_vendor[] = {
    "aws", "azure", "gcp", "google", "cloudflare", "fastly", "akamai", "vendor", "vendors",
    "provider", "isp", "carrier", "upstream", "datadog", "pagerduty", "github", "gitlab", "stripe",
    "twilio", "sendgrid", "okta", "auth0", "heroku", "digitalocean", "linode", "hetzner", "ovh",
    "equinix", "level3", "lumen", "cogent", "telia", "zayo", "ntt", "microsoft", "oracle", "ibm",
    "atlassian", "slack", "zoom", "salesforce", "mongodb", "confluent", "elastic", "redislabs",
    "snowflake", "databricks", "vercel", "netlify", "fly.io", "render", "supabase", "planetscale",
    "crowdstrike", "sentry", "newrelic", "splunk", "opsgenie", "third-party", "3rd-party",
    "partner", "supplier", "transit",
};

constexpr sv k_time[] = {
    "min", "mins", "minute", "minutes", "hour", "hours", "hr", "hrs", "sec", "secs", "second",
    "seconds", "tomorrow", "tonight", "today", "yesterday", "later", "soon", "eta", "am", "pm",
    "utc", "pst", "pt", "est", "cet", "morning", "afternoon", "evening", "night", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "week", "weekend", "while",
    "moment", "bit", "day", "days", "ago", "until", "till", "til", "every", "late",
};

constexpr sv k_done[] = {
    "done", "finished", "complete", "completed", "applied", "succeeded", "successful",
    "successfully", "live", "out", "deployed", "merged", "fixed", "green", "recovered", "resolved",
    "back", "restored", "healthy", "stable", "ok", "works", "working", "worked", "confirmed",
    "sent", "posted", "published", "updated", "fertig", "feito", "pronto",
};

constexpr sv k_question[] = {
    "who", "what", "when", "where", "why", "how", "which", "whose", "anyone", "anybody", "does",
    "did", "is", "are", "was", "were", "do", "has", "have", "any", "whether", "should", "shall",
    "could", "can", "would", "objections", "thoughts", "ok?", "right",
};

constexpr sv k_observe[] = {
    "see", "seeing", "saw", "seen", "show", "shows", "showing", "showed", "notice", "noticed",
    "noticing", "spot", "spotted", "getting", "got", "report", "reports", "reporting", "reported",
    "says", "say", "saying", "said", "returns", "returning", "returned", "gives", "giving", "gave",
    "lists", "listing", "prints", "printing", "outputs", "hitting", "appearing", "observing",
    "observed", "finding", "found", "turns", "complain", "complaining", "complained", "complains", "tweeting",
    "posting", "writing", "calling", "emailing", "asking", "angry",
};

constexpr sv k_status_word[] = {"status", "statuses", "statuspage", "status-page"};

// ---- roles of function words (constructions.cpp) ----

constexpr sv r_intent[] = {"i'll", "ill", "we'll", "lemme", "gonna", "i'mma", "imma"};
constexpr sv r_intent_to[] = {"going", "about", "ready", "planning", "want", "trying", "attempting"};
constexpr sv r_subject[] = {"i", "we"};
constexpr sv r_progressive[] = {"i'm", "im", "we're"};
constexpr sv r_perfect[] = {"i've", "ive", "we've"};
constexpr sv r_filler[] = {
    "just", "now", "also", "already", "quickly", "manually", "then", "still", "currently",
    "actually", "definitely", "first", "go", "ahead", "and", "try", "to", "start", "finally",
    "gonna", "going", "gradually", "slowly", "immediately", "asap", "personally", "probably",
    "carefully", "temporarily", "safely", "partially", "fully", "all", "both",
};
constexpr sv r_transparent[] = {"and", "so", "then", "but", "ok", "okay", "k", "alright", "right",
                                "update", "fyi", "ack", "done", "+1"};
constexpr sv r_gerund_follow[] = {
    "is", "was", "didn't", "doesn't", "won't", "wouldn't", "isn't", "wasn't", "helps", "helped",
    "fixed", "would", "will", "should", "can", "could", "might", "may", "did", "does", "hasn't",
    "has", "makes", "made", "worked", "works", "seems", "takes", "took", "means", "meant", "left", "leaves",
    "caused", "causes", "broke", "breaks", "gave", "gives", "needs", "needed", "requires", "required",
};
constexpr sv r_request[] = {"you", "u", "someone", "somebody", "anyone", "please", "pls", "plz"};
constexpr sv r_not_cause_q[] = {
    "who", "who's", "whos", "where", "where's", "when", "how", "how's", "which", "why", "anyone",
    "anybody", "can", "should", "shall", "do", "did", "does", "has", "have", "any", "anything",
    "status", "eta", "what's", "whats", "thoughts", "ok", "okay", "are", "is", "was", "were",
    "will", "would", "objections", "ready", "need", "want", "good", "all", "everyone", "still",
};
constexpr sv r_confirm[] = {"confirmed", "definitely", "culprit", "verified"};
constexpr sv r_hedge_glue[] = {"like", "that", "it's", "its", "is", "be", "so", "to", "just", "also", "a", "the"};
constexpr sv r_verdict[] = {"good", "fine", "great", "ok", "okay", "right", "plan", "while", "worth", "nice",
                            "better"};
constexpr sv r_trend[] = {"recovering", "improving", "stabilizing", "stabilising", "settling", "normal",
                          "better", "worse", "fine", "healthy", "resolved", "recovered", "right", "correct",
                          "agree"};
constexpr sv r_asks[] = {"asking", "asked", "asks", "wants", "want", "wanted", "needs", "need", "requesting",
                         "requested", "expects", "expecting", "waiting", "demanding", "would"};
constexpr sv r_helpdesk[] = {"support", "zendesk", "helpdesk", "servicedesk", "intercom", "freshdesk"};
constexpr sv r_volume[] = {"ticket", "tickets", "queue", "cases", "calls", "chats", "chat", "flooded", "flooding", "macro",
                           "inbox", "escalation", "escalations", "requests", "volume", "backlog", "emails"};
constexpr sv r_run[] = {"run", "ran", "running", "rerun", "reran", "rerunning", "tried", "try", "trying", "exec",
                        "executed", "executing", "typed", "type"};
constexpr sv r_status_next[] = {"page", "pages", "site", "update", "updates", "dashboard", "io"};
constexpr sv r_channel[] = {"banner", "macro", "macros", "advisory", "newsletter", "blog", "tweet", "tweeted",
                            "ivr", "motd", "voicemail", "all-clear",
                            "press", "statement", "all-hands", "talking", "notice", "announcement", "announced",
                            "announce"};
constexpr sv r_like_verb[] = {"look", "looks", "sound", "sounds", "smell", "smells", "feel", "feels", "looking",
                              "feeling"};
constexpr sv r_hedge_modal[] = {"could", "might", "may", "must"};
constexpr sv r_modal_next[] = {"be", "have", "it", "this", "that", "the", "just", "also", "well", "been", "explain"};
constexpr sv r_personal_obj[] = {"look", "peek", "glance", "minute", "sec", "second", "moment", "while", "nothing",
                                 "none", "eye", "eyes", "note", "notes", "break", "stab", "crack"};
constexpr sv r_state[] = {"low", "out", "hot", "slow", "fine", "behind", "late", "ok", "smoothly", "again"};
constexpr sv r_same_past[] = {"set", "reset", "cut", "put", "shut", "shed", "rerun"};
constexpr sv r_not_about[] = {"you", "we", "not", "so", "your", "you're", "youre"};
constexpr sv r_them[] = {"them", "him", "her", "everyone", "folks"};
constexpr sv r_sure_intensifier[] = {"pretty", "fairly", "quite", "almost", "mostly"};
constexpr sv r_pronoun_it[] = {"it", "this", "that"};
// "pulling the job output", "grabbed the logs": the verb's object is evidence to read.
constexpr sv r_evidence[] = {"output", "outputs", "logs", "log", "metrics", "traces", "trace", "graphs", "graph",
                             "numbers", "stats", "screenshot", "screenshots", "events", "histogram", "dashboards"};
// "started to", "needed to": aspect or intent before an infinitive ("set to false" is a change).
constexpr sv r_aspect_to[] = {"started", "stopped", "tried", "began", "continued", "needed", "wanted", "used",
                              "managed", "forced", "failed", "planned", "decided", "asked", "meant"};
// "handle the rollback", "work on the permanent fix": a light verb whose object is the operation.
constexpr sv r_light_verb[] = {"handle", "handling", "take", "taking", "own", "owning", "drive", "driving", "work",
                               "working", "prep", "prepping", "prepare", "preparing", "do", "doing", "lead",
                               "leading"};
// "AWS confirmed: …", "kubectl is slow", "redis-cli says OOM": a tool before these is a subject.
constexpr sv r_predicate[] = {"is", "was", "are", "were", "says", "said", "has", "had", "keeps", "seems", "won't",
                              "doesn't", "isn't"};
constexpr sv r_experience[] = {"see", "seeing", "saw", "seen", "getting", "got", "hitting", "hit", "experiencing",
                               "experience", "noticing", "finding", "found"};
// Sub-commands, SQL heads and function-name parts that change the system, or only read it, as
// CLIs, SQL and admin APIs spell them ("kubectl scale", "ALTER USER", "pg_drop_replication_slot",
// "Restart-Service", "db.killOp", "--reset-offsets --execute").
constexpr sv r_cmd_write[] = {
    "restart", "reload", "rollback", "undo", "scale", "apply", "patch", "delete", "del", "rm", "rmdir", "mv",
    "kill", "killop", "pkill", "killall", "drain", "cordon", "uncordon", "taint", "reboot", "shutdown", "poweroff",
    "stop", "start", "disable", "enable", "pause", "resume", "suspend", "purge", "flush", "flushall", "flushdb",
    "clear", "create", "replace", "set", "unset", "push", "upgrade", "install", "uninstall", "update", "reset",
    "cancel", "terminate", "failover", "promote", "demote", "rotate", "renew", "revoke", "grant", "insert",
    "alter", "drop", "truncate", "vacuum", "reindex", "deregister", "register", "authorize", "activate",
    "deactivate", "evict", "compact", "prune", "unseal", "seal", "import", "restore", "execute", "submit",
    "makestep", "mount", "umount", "resize", "attach", "detach", "label", "annotate", "abort", "retry",
    "requeue", "replay", "invalidate", "expire", "destroy", "remove", "add", "put", "chmod", "chown", "fence",
    "migrate", "deploy", "redeploy", "merge", "revert", "growpart", "lvextend", "resize2fs", "kubeseal",
    "force", "yes", "confirm", "recreate", "rebuild", "repair", "recover", "failback", "switchover",
    "modify", "change", "edit", "associate", "disassociate", "reboot", "rerun", "playbook",
    "dispatch", "reconfig", "reconfigure", "stepdown", "commit", "shred", "reorg", "runstats", "defrag",
    "quarantine", "block", "unblock", "isolate", "reclaim", "wipe", "unlock", "lock", "approve", "deny", "move",
    "halt", "unlink", "tag", "retag", "untag", "pin", "unpin",
    // round 10: publishing a release or a data file, and bringing a stack up or down
    // ("epgctl publish --file …", "docker compose up -d", "docker compose down")
    "publish", "unpublish", "up", "down",
};
constexpr sv r_cmd_read[] = {
    "get", "describe", "list", "ls", "show", "status", "logs", "log", "top", "select", "cat", "grep", "egrep",
    "zgrep", "tail", "head", "less", "diff", "history", "info", "inspect", "explain", "plan", "stat", "stats",
    "check", "test", "ping", "dig", "nslookup", "whois", "traceroute", "mtr", "watch", "ps", "df", "du",
    "uptime", "find", "count", "query", "search", "scan", "events", "version", "whoami", "env", "echo", "wc",
    "sort", "uniq", "jq", "awk", "lsof", "ss", "netstat", "iostat", "vmstat", "dmesg", "journalctl", "strace",
    "tcpdump", "perf", "htop", "verify", "validate", "dry", "currentop", "tracking", "health", "cluster-info",
    "processlist", "tables", "columns", "diagnose", "doctor", "lint", "tree", "view", "print", "read",
};

struct list_ref {
    const sv* words;
    std::size_t size;
    std::uint32_t cls;
    std::uint64_t roles;
};

template <std::size_t N>
constexpr list_ref ref(const sv (&a)[N], std::uint32_t cls) {
    return {a, N, cls, 0};
}
template <std::size_t N>
constexpr list_ref role(const sv (&a)[N], std::uint64_t r) {
    return {a, N, 0, r};
}

constexpr list_ref k_lists[] = {
    ref(k_hedge, wc_hedge),           ref(k_cause, wc_cause),
    ref(k_system, wc_system),         ref(k_failure, wc_failure),
    ref(k_op_verb, wc_op_verb),       ref(k_look_verb, wc_look_verb),
    ref(k_comms_verb, wc_comms_verb), ref(k_audience, wc_audience),
    ref(k_comms_item, wc_comms_item), ref(k_tool, wc_tool),
    ref(k_tool_word, wc_tool_word),   ref(k_sql, wc_sql),
    ref(k_sql_caps, wc_sql_caps),
    ref(k_first_person, wc_first_person),
    ref(k_intent, wc_intent),         ref(k_modal, wc_modal),
    ref(k_request, wc_request),       ref(k_negation, wc_negation),
    ref(k_personal, wc_personal),     ref(k_automation, wc_automation),
    ref(k_vendor, wc_vendor),         ref(k_time, wc_time),
    ref(k_done, wc_done),             ref(k_question, wc_question),
    ref(k_observe, wc_observe),       ref(k_status_word, wc_status_word),
    role(r_intent, wr_intent),                role(r_intent_to, wr_intent_to),
    role(r_subject, wr_subject),              role(r_progressive, wr_progressive),
    role(r_perfect, wr_perfect),              role(r_filler, wr_filler),
    role(r_transparent, wr_transparent),      role(r_gerund_follow, wr_gerund_follow),
    role(r_request, wr_request),              role(r_not_cause_q, wr_not_cause_q),
    role(r_confirm, wr_confirm),              role(r_hedge_glue, wr_hedge_glue),
    role(r_verdict, wr_verdict),              role(r_trend, wr_trend),
    role(r_asks, wr_asks),                    role(r_helpdesk, wr_helpdesk),
    role(r_volume, wr_volume),                role(r_run, wr_run),
    role(r_status_next, wr_status_next),      role(r_channel, wr_channel),
    role(r_like_verb, wr_like_verb),          role(r_hedge_modal, wr_hedge_modal),
    role(r_modal_next, wr_modal_next),        role(r_personal_obj, wr_personal_obj),
    role(r_state, wr_state),                  role(r_same_past, wr_same_past),
    role(r_not_about, wr_not_about),          role(r_them, wr_them),
    role(r_sure_intensifier, wr_sure_intensifier), role(r_pronoun_it, wr_pronoun_it),
    role(r_cmd_write, wr_cmd_write),          role(r_cmd_read, wr_cmd_read),
    role(r_experience, wr_experience),        role(r_evidence, wr_evidence),
    role(r_aspect_to, wr_aspect_to),          role(r_light_verb, wr_light_verb),
    role(r_predicate, wr_predicate),
};

constexpr std::string_view k_class_names[k_word_classes] = {
    "hedge",  "cause",    "system",       "failure", "op_verb",  "look_verb", "comms_verb",
    "audience", "comms_item", "tool",     "sql",     "first_person", "intent", "modal",
    "request", "negation", "personal",    "automation", "vendor", "time",      "done",
    "question", "observe", "status_word", "arg", "code", "mention", "link", "qmark",
    "sql_caps", "tool_word",
};

// Irregular past forms of listed verbs.
struct irregular {
    sv past, base;
};
constexpr irregular k_irregular[] = {
    {"bet", "bet"},       {"brought", "bring"}, {"built", "build"},     {"cut", "cut"},
    {"did", "do"},        {"drew", "draw"},     {"fed", "feed"},        {"froze", "freeze"},
    {"frozen", "freeze"}, {"gave", "give"},     {"got", "get"},         {"held", "hold"},
    {"kept", "keep"},     {"let", "let"},       {"made", "make"},       {"put", "put"},
    {"ran", "run"},       {"read", "read"},     {"rebuilt", "rebuild"}, {"reran", "rerun"},
    {"reset", "reset"},   {"rewrote", "rewrite"}, {"said", "say"},      {"saw", "see"},
    {"sent", "send"},     {"set", "set"},       {"shed", "shed"},       {"shut", "shut"},
    {"spun", "spin"},     {"struck", "strike"}, {"swapped", "swap"},    {"took", "take"},
    {"told", "tell"},     {"threw", "throw"},   {"woke", "wake"},       {"wrote", "write"},
    {"written", "write"}, {"taken", "take"},    {"begun", "begin"},     {"began", "begin"},
    {"undid", "undo"},    {"withdrew", "withdraw"}, {"forgot", "forget"}, {"found", "find"},
};

// ---- the table ----

constexpr std::size_t k_slots = 8192;  // power of two, well over twice the listed words

struct slot {
    std::uint32_t key = 0;  // hash of the word; 0 = empty
    std::uint32_t classes = 0;
    std::uint32_t past_of = 0;  // an irregular past: the classes of its base form ("ran": run's)
    std::uint64_t roles = 0;
};

// The table key of a word, from its plain hash (the one the tokeniser computes anyway).
constexpr std::uint32_t key_of_hash(std::uint64_t plain) {
    const std::uint64_t h = mix(plain ^ 0x6c657869636f6eull);  // "lexicon"
    const auto k = static_cast<std::uint32_t>(h ^ (h >> 32));
    return k == 0 ? 1 : k;
}
constexpr std::uint32_t key_of(sv w) { return key_of_hash(hash_bytes(w)); }

constexpr std::size_t slot_of(const std::array<slot, k_slots>& t, std::uint32_t k) {
    std::size_t s = static_cast<std::size_t>(k) & (k_slots - 1);
    while (t[s].key != 0 && t[s].key != k) s = (s + 1) & (k_slots - 1);
    return s;
}

constexpr std::array<slot, k_slots> build_table() {
    std::array<slot, k_slots> t{};
    for (const list_ref& l : k_lists) {
        for (std::size_t i = 0; i < l.size; ++i) {
            const std::uint32_t k = key_of(l.words[i]);
            slot& s = t[slot_of(t, k)];
            s.key = k;
            s.classes |= l.cls;
            s.roles |= l.roles;
        }
    }
    for (const irregular& ir : k_irregular) {
        const std::uint32_t base = t[slot_of(t, key_of(ir.base))].classes;
        const std::uint32_t k = key_of(ir.past);
        slot& s = t[slot_of(t, k)];
        s.key = k;
        s.past_of |= base;
    }
    return t;
}

constexpr std::size_t used_slots(const std::array<slot, k_slots>& t) {
    std::size_t n = 0;
    for (const slot& s : t) n += s.key != 0;
    return n;
}

constexpr auto k_table = build_table();
static_assert(used_slots(k_table) * 2 < k_slots, "lexicon table too full: raise k_slots");

const slot* find_slot_hashed(std::uint64_t plain) {
    const slot& s = k_table[slot_of(k_table, key_of_hash(plain))];
    return s.key != 0 ? &s : nullptr;
}

const slot* find_slot(sv w) { return w.empty() ? nullptr : find_slot_hashed(hash_bytes(w)); }

std::uint32_t classes_of(sv w) {
    const slot* s = find_slot(w);
    return s ? s->classes : 0;
}

// Classes of `stem` + `suffix` (built in a small stack buffer).
std::uint32_t classes_of(sv stem, sv suffix) {
    std::array<char, 48> buf{};
    if (stem.size() + suffix.size() > buf.size()) return 0;
    std::size_t n = 0;
    for (char c : stem) buf[n++] = c;
    for (char c : suffix) buf[n++] = c;
    return classes_of(sv(buf.data(), n));
}

bool ends_with(sv w, sv suffix) {
    return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

bool vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// Classes that survive an inflection: an "-ing" or "-ed" form is still that verb, a plural still
// that noun, but "maybe" inflected is not a hedge.
constexpr std::uint32_t k_inflectable = ~(wc_first_person | wc_negation | wc_question | wc_modal);

// The classes of the word `w` inflects, with the inflection; {0, exact} when it inflects none.
lexeme inflected(sv w) {
    if (const slot* s = find_slot(w); s && s->past_of) return {s->past_of & k_inflectable, form::past};
    // -ing: restarting, scaling (dropped e), stopping (doubled consonant)
    if (w.size() >= 5 && ends_with(w, "ing")) {
        const sv stem = w.substr(0, w.size() - 3);
        std::uint32_t c = classes_of(stem);
        if (c == 0) c = classes_of(stem, "e");
        if (c == 0 && stem.size() > 2 && stem.back() == stem[stem.size() - 2] && !vowel(stem.back()))
            c = classes_of(stem.substr(0, stem.size() - 1));
        if (c != 0) return {c & k_inflectable, form::ing};
    }
    // -ed: restarted, scaled, applied, stopped
    if (w.size() >= 4 && ends_with(w, "ed")) {
        const sv stem = w.substr(0, w.size() - 2);
        std::uint32_t c = classes_of(stem);
        if (c == 0) c = classes_of(w.substr(0, w.size() - 1));  // scaled -> scale
        if (c == 0 && ends_with(stem, "i")) c = classes_of(stem.substr(0, stem.size() - 1), "y");
        if (c == 0 && stem.size() > 2 && stem.back() == stem[stem.size() - 2] && !vowel(stem.back()))
            c = classes_of(stem.substr(0, stem.size() - 1));
        if (c != 0) return {c & k_inflectable, form::past};
    }
    // A possessive is its noun: "the CFO's office", "Stripe's dashboard", "the cluster's disks".
    if (w.size() >= 4 && ends_with(w, "'s")) {
        const std::uint32_t c = classes_of(w.substr(0, w.size() - 2)) &
                                (wc_audience | wc_system | wc_vendor | wc_automation | wc_comms_item | wc_personal);
        if (c != 0) return {c, form::exact};
    }
    // -s / -es / -ies: restarts, pushes, retries, customers
    if (w.size() >= 3 && w.back() == 's' && w[w.size() - 2] != 's') {
        std::uint32_t c = classes_of(w.substr(0, w.size() - 1));
        if (c == 0 && ends_with(w, "es")) c = classes_of(w.substr(0, w.size() - 2));
        if (c == 0 && w.size() > 4 && ends_with(w, "ies")) c = classes_of(w.substr(0, w.size() - 3), "y");
        if (c != 0) return {c & k_inflectable, form::third};
    }
    // "re-import", "reimporting": the verb behind a re- prefix.
    if (w.size() > 5 && w.substr(0, 2) == "re") {
        const sv rest = w.substr(w[2] == '-' ? 3 : 2);
        lexeme inner{classes_of(rest), form::exact};
        if (inner.classes == 0) inner = inflected(rest);
        const bool looked = (inner.classes & wc_look_verb) != 0;
        inner.classes &= wc_op_verb | wc_comms_verb;
        if (inner.classes != 0) return inner;
        // "re-queueing", "re-localized": a hyphenated re- says the thing is done again, an operation
        // whatever the verb (unless it only looks: "re-checking").
        if (w[2] == '-' && !looked && rest.size() >= 4) {
            if (ends_with(rest, "ing")) return {wc_op_verb, form::ing};
            if (ends_with(rest, "ed")) return {wc_op_verb, form::past};
            return {wc_op_verb, form::exact};
        }
    }
    // "force-pushed", "hot-patching", "double-checked": an inflected compound verb is its last
    // word's verb (not a base form: "cache-restore step", "kill-switch" are nouns).
    if (const std::size_t dash = w.rfind('-'); dash != sv::npos && dash > 0 && dash + 4 <= w.size()) {
        lexeme inner = inflected(w.substr(dash + 1));
        inner.classes &= wc_op_verb | wc_look_verb | wc_comms_verb;
        if (inner.classes != 0 && (inner.form == form::ing || inner.form == form::past)) return inner;
    }
    return {};
}

}  // namespace

lexeme look_up(sv w) { return look_up(w, hash_bytes(w)); }

lexeme look_up(sv w, std::uint64_t plain_hash) {
    if (w.empty() || w.size() > 40) return {};
    // A listed word keeps its own classes and gains those of the word it inflects ("applied" is
    // both "done" and a form of "apply").
    const slot* own = find_slot_hashed(plain_hash);
    const std::uint32_t exact = own ? own->classes : 0;
    const std::uint64_t roles = own ? own->roles : 0;
    // Only words that can be inflections are tried as such (-s, -ed, -ing, an irregular past, re-,
    // a compound).
    const bool maybe_inflected = w.size() >= 3 && (w.back() == 's' || w.back() == 'd' || w.back() == 'g' ||
                                                  (own && own->past_of) || w.substr(0, 2) == "re" ||
                                                  (!own && w.find('-') != sv::npos && (w.back() == 'd' || w.back() == 'g' || w.back() == 't')));
    lexeme infl = maybe_inflected ? inflected(w) : lexeme{};
    if (infl.classes == 0) return {exact, form::exact, roles};
    infl.classes |= exact;
    infl.roles = roles;
    return infl;
}

sv class_name(unsigned bit) { return bit < k_word_classes ? k_class_names[bit] : sv{}; }

}  // namespace ib::tagging

namespace ib::tagging {

bool cmdlet_shape(sv w) {
    const std::size_t dash = w.find('-');
    if (dash == sv::npos || dash + 3 >= w.size()) return false;
    for (std::size_t k = dash + 1; k < w.size(); ++k)
        if (w[k] < 'a' || w[k] > 'z') return false;  // lowered: letters only
    // PowerShell's approved verbs (Get-Verb): the grammar of every cmdlet, not a list of cmdlets.
    static constexpr sv verbs[] = {
        "add", "clear", "close", "copy", "enter", "exit", "find", "format", "get", "hide", "join", "lock", "move",
        "new", "open", "optimize", "pop", "push", "redo", "remove", "rename", "reset", "resize", "search",
        "select", "set", "show", "skip", "split", "step", "switch", "undo", "unlock", "watch", "backup",
        "checkpoint", "compare", "compress", "convert", "convertfrom", "convertto", "dismount", "edit",
        "expand", "export", "group", "import", "initialize", "limit", "merge", "mount", "out", "publish",
        "restore", "save", "sync", "unpublish", "update", "approve", "assert", "build", "complete", "confirm",
        "deny", "deploy", "disable", "enable", "install", "invoke", "register", "request", "restart", "resume",
        "start", "stop", "submit", "suspend", "uninstall", "unregister", "wait", "debug", "measure", "ping",
        "repair", "resolve", "test", "trace", "connect", "disconnect", "read", "receive", "send", "write",
        "block", "grant", "protect", "revoke", "unblock", "unprotect", "use"};
    const sv verb = w.substr(0, dash);
    for (const sv v : verbs)
        if (v == verb) return true;
    return false;
}

}  // namespace ib::tagging
