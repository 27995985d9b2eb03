"""``quod prove "FORMULA"``: yes (kernel-checked), no (a checked counterexample) or don't know.

The formula is elaborated in the prelude (and ``--import``ed modules), its
leading quantifiers and hypotheses are introduced, and the smt machinery
decides it. Every "yes" is a theorem the kernel admitted; every "no" carries
values under which Quod's own evaluator finds the statement false.
"""

from __future__ import annotations

import sys

EXIT_YES, EXIT_NO, EXIT_USAGE, EXIT_DONT_KNOW = 0, 1, 2, 3


def run_prove(args) -> int:
    from kernel import KernelError, free_vars
    from tactics.parser import parse_expr
    from tactics.syntax import QuodError
    from tactics.elab import Elaborator

    from .loader import Loader, format_error
    loader = Loader()
    try:
        from .cache import Store
        loader.store = Store()      # the prelude's proofs from the cache, re-checked by the kernel
    except Exception:               # no usable cache directory: prove the prelude again
        loader.store = None
    try:
        pre = loader.prelude()
        env = pre.env.copy() if pre is not None else __import__("kernel").Environment()
        for m in args.imports or []:
            env.include(loader.module(m).env)
        se = parse_expr(args.formula, "<formula>")
        stmt = Elaborator(env).formula(se)
    except QuodError as exc:
        print(format_error(exc, args.formula), file=sys.stderr)
        return EXIT_USAGE
    except KernelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if free_vars(stmt):
        print(f"error: unbound variables {', '.join(sorted(free_vars(stmt)))}; quantify them "
              "(forall x y : int, ...)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _decide(args, env, stmt)
    finally:
        if getattr(args, "show_statement", False):   # after the answer: its first line stays the answer
            from .statement import indented, render
            print(indented(render(stmt), "statement: ", "  "))


def _decide(args, env, stmt) -> int:
    from kernel import KernelError, TheoremDecl
    from tactics.engine import Engine
    from tactics.smt import SmtCounterexample, SmtDontKnow, decide, reconstruct, wants_model
    from tactics.state import ProofState, assemble
    from tactics.syntax import QuodError, Tactic
    eng = Engine(env, "<formula>")
    state = ProofState.start(stmt)
    try:
        state = eng.run(state, Tactic("intros", (), None))
    except QuodError:
        pass
    goal = state.goals[0]
    rlimit = args.rlimit
    timeout = args.timeout
    # Small values first (a plainly false goal is refuted at once), then Quod's own procedures
    # (a kernel proof needs no solver: most true goals never start z3), then z3: its "unsat" is
    # rebuilt once more with what it tells (a model's witnesses), else it is the oracle's word.
    from tactics.smt import quick_counterexample
    quick = quick_counterexample(env, goal)
    if quick is not None:
        text = ", ".join(f"{n} = {v}" for n, v in sorted(quick.items())) or "(none needed: the statement is false)"
        print(f"no: counterexample {text}")
        return EXIT_NO
    thm = _kernel_yes(env, stmt, state, goal, reconstruct(env, goal, use_z3=False))
    if thm is not None:
        print("yes")
        print("kernel-checked proof")
        return EXIT_YES
    try:
        decide(env, goal, rlimit, timeout, quick=False)
    except SmtCounterexample as cex:
        print(f"no: counterexample {cex.text}")
        return EXIT_NO
    except SmtDontKnow as exc:
        print(f"don't know: {exc}")
        return EXIT_DONT_KNOW
    # once more only where z3's model can help (witnesses for a closed existential): the same
    # procedures without it failed a moment ago
    thm = _kernel_yes(env, stmt, state, goal, reconstruct(env, goal)) if wants_model(goal) else None
    if thm is None:
        from tactics.smt import oracle_proof
        proof = oracle_proof(goal)        # z3 said unsat, and Quod could not rebuild the proof
        try:
            thm = env.copy().add(TheoremDecl("_prove", stmt, assemble(state.solve(goal, proof, []))))
        except KernelError as exc:
            print(f"don't know: the proof Quod built was rejected by the kernel ({exc})")
            return EXIT_DONT_KNOW
    if thm.axioms:
        if args.strict:
            print("don't know: only the oracle proved it")
            return EXIT_DONT_KNOW
        print("yes")
        print(f"note: rests on {', '.join(sorted(thm.axioms))} (z3's word, not a kernel proof)")
        return EXIT_YES
    print("yes")
    print("kernel-checked proof")
    return EXIT_YES


def _kernel_yes(env, stmt, state, goal, proof):
    """The theorem the kernel makes of a rebuilt proof, or None (no proof, or the kernel refused it:
    a fault in a procedure outside the kernel, which then costs the answer, never its soundness)."""
    from kernel import KernelError, TheoremDecl
    from tactics.state import assemble
    if proof is None:
        return None
    try:
        thm = env.copy().add(TheoremDecl("_prove", stmt, assemble(state.solve(goal, proof, []))))
    except KernelError:
        return None
    return None if thm.axioms else thm
