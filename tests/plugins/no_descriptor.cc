// A shared library that is not a zkops plugin: no zk_plugin_descriptor symbol.
extern "C" __attribute__((visibility("default"))) int zk_test_not_a_plugin() { return 42; }
