"""The fan-out bench (`python -m loadtest fanout`): docs/BENCHMARK-FANOUT.md."""
