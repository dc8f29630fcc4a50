"""Side-by-side benchmarks of the assistant against what a team would otherwise build.

`make bench` (``python -m benchmarks.run``) trains the systems, scores them on the frozen NLU
split, load-tests the real servers on loopback and writes docs/benchmarks.md. Not part of
`make test`: it takes about twenty minutes on two cores.
"""
