# Helpers for test suites that run real clients against a real server started by
# tests/harness/zkserver.py. Every suite is registered twice: against Apache ZooKeeper 3.8
# (the reference, on which each test is proven first) and against our zknode.
include_guard(GLOBAL)

# Debian's interpreter: it has python3-kazoo (a pyenv python3 first on PATH does not).
set(ZK_TEST_PYTHON /usr/bin/python3 CACHE FILEPATH "Python with kazoo for client tests")
set(ZK_HARNESS ${PROJECT_SOURCE_DIR}/tests/harness/zkserver.py)

# zk_add_server_test(NAME LABEL TIMEOUT WORKDIR cmd args...)
# adds NAME_zookeeper and NAME_zknode; the command sees ZK_SERVER_KIND (and ZK_BIN_DIR).
function(zk_add_server_test NAME LABEL TIMEOUT WORKDIR)
  foreach(kind zookeeper zknode)
    add_test(NAME ${NAME}_${kind} COMMAND ${ARGN} WORKING_DIRECTORY ${WORKDIR})
    set_tests_properties(${NAME}_${kind} PROPERTIES
      LABELS "${LABEL};${kind}"
      TIMEOUT ${TIMEOUT}
      ENVIRONMENT "ZK_SERVER_KIND=${kind};ZK_BIN_DIR=${CMAKE_BINARY_DIR}/bin;PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endfunction()
