# The scripts under workers/ run inside `mpirun`, started by the tests: never collect them.
collect_ignore = ["workers"]
