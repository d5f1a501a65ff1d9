"""Real-process fault harness (issue 5): zknode or Apache ZooKeeper ensembles in network
namespaces, a seeded nemesis (kill, pause, partitions), kazoo workloads recorded as zkcheck
JSON-lines histories (format: tools/zkcheck/README.md), and the checker's verdict.
Entry point: tests/fault/fault_harness.py."""
