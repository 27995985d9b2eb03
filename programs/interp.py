"""Running programs: the statement semantics the kernel's program logic speaks about.

``run`` executes a kernel statement on a state (a dict of integers) with a
step bound; ``havoc`` draws from a supplied source of values; a false
``assume`` blocks the run; a false ``assert`` is an error (for C programs that
is where undefined behaviour, such as signed overflow, would happen).
"""

from __future__ import annotations

from kernel import Expr

from tactics.evaluate import EvalError, Evaluator


class AssertionFailed(Exception):
    def __init__(self, cond: Expr, state: dict):
        super().__init__(f"assertion {cond} fails")
        self.cond, self.state = cond, dict(state)


class Blocked(Exception):
    """An ``assume`` was false: this run does not exist."""


class OutOfSteps(Exception):
    """The step bound was reached (the run may or may not terminate)."""

    def __init__(self, state: dict, steps: int):
        super().__init__(f"still running after {steps} steps")
        self.state, self.steps = dict(state), steps


class StateEvaluator(Evaluator):
    def __init__(self, env, state: dict):
        super().__init__(env)
        self.state = state

    def ev(self, e: Expr):
        if e.op == "var":
            if e.data not in self.state:
                raise EvalError(f"{e.data} is read before it has a value")
            return self.state[e.data]
        return super().ev(e)


def run(env, stmt: Expr, state: dict, max_steps: int = 100_000, nondet=None, on_loop=None, on_call=None) -> dict:
    """Execute ``stmt`` from ``state`` (a copy is returned). ``on_loop(node, state)`` is called at
    every loop test, so a caller can watch a run stay inside a recurrent set."""
    state = dict(state)
    ev = StateEvaluator(env, state)
    steps = 0
    stack = [stmt]
    frames: list = []       # the callers of the running procedure: (state, evaluator, target, result)
    while stack:
        s = stack.pop()
        steps += 1
        if steps > max_steps:
            raise OutOfSteps(state, steps)
        if type(s) is tuple:            # the end of a procedure's body: back to its caller
            value = state.get(s[1], 0)      # a void function's result is never read
            state, ev, target = frames.pop()
            state[target] = value
            continue
        op = s.op
        if op == "call":                # the callee's body in a frame of its own
            proc = env.procedure(s.data[1], "run")
            values = [ev.ev(a) for a in s.args]
            if on_call is not None:
                on_call(s.data[1], values)
            frames.append((state, ev, s.data[0]))
            state = dict(zip(proc.params, values))
            ev = StateEvaluator(env, state)
            stack.append(("return", proc.result))
            stack.append(proc.body)
            continue
        if op == "skip":
            continue
        if op == "assign":
            t = s.args[0]
            while t.op == "ite" and s.data not in state:       # x = (g ? e : x), if-converted code
                t = t.args[1] if ev.ev(t.args[0]) else t.args[2]
            if not (t.op == "var" and t.data == s.data and s.data not in state):   # x = x: x keeps no value
                state[s.data] = ev.ev(t)
        elif op == "havoc":
            state[s.data] = nondet(s.data) if nondet is not None else 0
        elif op == "seq":
            stack.append(s.args[1])
            stack.append(s.args[0])
        elif op == "if":
            stack.append(s.args[1] if ev.ev(s.args[0]) else s.args[2])
        elif op == "while":
            if on_loop is not None:
                on_loop(s, state)
            if ev.ev(s.args[0]):
                stack.append(s)
                stack.append(s.args[1])
        elif op == "assume":
            if not ev.ev(s.args[0]):
                raise Blocked()
        elif op == "assert":
            if not ev.ev(s.args[0]):
                raise AssertionFailed(s.args[0], state)
        else:
            raise EvalError(f"cannot run a {op} statement")
    return state
