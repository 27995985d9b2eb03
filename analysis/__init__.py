"""Program analysis: the automation that proposes proofs about programs.

The budget of one analysis (budget.py), invariants and the termination decision (termination.py),
ranking functions (ranking.py, over the loop paths of paths.py, linear.py and the LPs of farkas.py;
piecewise ones: piecewise.py), what an inner loop keeps of an outer loop's measure (snapshots.py),
ranking functions by cases and phases (cases.py), non-termination witnesses (divergence.py),
contracts and infinite call chains of recursive programs (recursion.py), and the program tactics
built on them (tactics.py). Like the tactics, it only proposes proof terms; the kernel checks them.
The meaning of programs (front ends, interpreter, vcgen) stays in ``programs/``.
"""
