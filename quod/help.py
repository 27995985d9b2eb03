"""The REPL's ``help``: topics, every tactic and every command with an example, and hints for what
newcomers type from Lean, Coq or Isabelle.

``tests/test_repl.py`` checks that every tactic of the grammar (``tactics.parser.tactic_names``) and
every REPL command has an entry here, so the list cannot fall behind the language.
"""

from __future__ import annotations

import re
import textwrap

# name -> (what it does, an example); the example is what one types in the REPL or a proof
TACTICS: dict[str, tuple[str, str]] = {
    "intro": ("Moves the variables of a `forall` and the premises of `->` into the context, with the names given "
              "(or fresh ones).", "goal ∀ x : int, x > 0 → x ≥ 1:   intro x hx"),
    "intros": ("Like intro, as far as it goes, naming what it introduces itself.", "intros"),
    "apply": ("Proves the goal from a hypothesis or lemma whose conclusion matches it; its premises become new "
              "goals.", "apply lt_trans(a, b, c)"),
    "exact": ("Closes the goal with a proof: a hypothesis, or a lemma applied to terms and proofs.",
              "exact h        exact lt_trans(a, b, c, hab, hbc)"),
    "assumption": ("Closes the goal with a hypothesis that is exactly the goal.", "assumption"),
    "split": ("Splits a goal A ∧ B (or A ↔ B) into two goals. `constructor` is the same tactic.",
              "split\n  . linarith\n  . ring"),
    "constructor": ("The same as split (the name Lean and Coq users know).", "constructor"),
    "left": ("Proves A ∨ B by proving A.", "left"),
    "right": ("Proves A ∨ B by proving B.", "right"),
    "exists": ("Proves ∃ x, P(x) by giving the witness (several for ∃ x y).", "exists 2 * k + 1"),
    "cases": ("Takes apart a hypothesis: A ∧ B into two, A ∨ B into two goals, ∃ x, P into a variable and a fact; "
              "`with` names the parts.", "cases h with k hk"),
    "induction": ("Induction on a variable from a base (default 0): a goal for the base, one for the step "
                  "(with the hypothesis for k).", "induction n from 1"),
    "strong_induction": ("Induction where the step may use the claim for every smaller value from the base.",
                         "strong_induction n from 0"),
    "rewrite": ("Rewrites the goal (or a hypothesis with `at`) with equations, left to right (`<-` for right to "
                "left). `rw` is the same tactic.", "rewrite [h1, <- add_comm] at h2"),
    "rw": ("The same as rewrite.", "rw [h]"),
    "unfold": ("Replaces defined functions by their definitions (in a hypothesis with `at`).",
               "unfold sum_to      unfold dbl at h"),
    "simp": ("Simplifies with the @[simp] lemmas and those given (in a hypothesis with `at`).",
             "simp [mul_comm]"),
    "have": ("States an intermediate fact, proved by the block after `:= by`, and adds it to the context.",
             "have h2 : x * x >= 0 := by\n    nlinarith"),
    "show": ("Restates the goal in an equal form (the same formula), to say where you are.", "show x + 1 > x"),
    "calc": ("A chain of steps a = b = c (or with <, ≤), each proved by its own block.",
             "calc a = b + 1 := by rewrite [h1]\n    _ = 2 * c + 1 := by rewrite [h2]"),
    "by_contra": ("Proves the goal by contradiction: assumes its negation (named) and asks for false.",
                  "by_contra hn"),
    "contradiction": ("Closes any goal when the hypotheses contradict each other plainly (false, ¬A with A, "
                      "t ≠ t, a false closed fact).", "contradiction"),
    "exfalso": ("Changes the goal to false (to prove it from contradictory hypotheses).", "exfalso"),
    "ring": ("Proves an equation of commutative ring arithmetic (+, -, *, powers by repeated *).",
             "ring        (a + b) * (a + b) = a * a + 2 * a * b + b * b"),
    "linarith": ("Proves a linear (in)equality, or false, from the hypotheses (and the facts given), by "
                 "linear arithmetic checked by the kernel.", "linarith [h1, sq_nonneg(x)]"),
    "nlinarith": ("linarith that also multiplies pairs of hypotheses and squares (for products).",
                  "nlinarith [mul_pos(a, b, ha, hb)]"),
    "norm_num": ("Decides a closed fact by computing (numbers only, no variables).", "norm_num     2 + 2 = 4"),
    "trivial": ("Closes true, t = t, or a goal that is a hypothesis.", "trivial"),
    "reflexivity": ("Closes t = t, t ≤ t and A ↔ A.", "reflexivity"),
    "specialize": ("Instantiates a ∀ hypothesis at terms, in place.", "specialize h 3"),
    "smt": ("Asks z3 to prove the goal (with the hypotheses and the lemmas given), then rebuilds a kernel proof; "
            "only if that fails the step rests on the oracle smt_oracle (reported). Options: (timeout := ms), "
            "(rlimit := n). Ctrl-C stops it.", "smt [ih]        smt (timeout := 5000)"),
    "hammer": ("smt with lemmas chosen from everything imported; says which ones it used (`try this: smt [...]`).",
               "hammer"),
    "vcgen": ("Turns a program judgment ({P} f {Q}, [P] f [Q]) into verification conditions, finding loop "
              "invariants; then smt usually proves them.", "vcgen; smt"),
    "termination": ("Proves `terminates f` by finding a ranking function (or with the one given).",
                    "termination        termination with decreasing x, y"),
    "recurrent": ("Proves `diverges f from P` with a recurrent set (found, or the one given): from P the loop "
                  "never exits.", "recurrent (x > y and y <= 0)"),
    "invariant": ("Gives the invariant of the first loop of a program judgment (then vcgen or termination).",
                  "invariant (x >= 0)"),
    "sorry": ("Closes the goal without proof: the theorem then rests on `sorry`, and quod check says so.",
              "sorry"),
    "skip": ("Does nothing.", "skip"),
    "done": ("Fails unless no goals are left.", "done"),
    "try": ("Runs a tactic; if it fails, nothing happens.", "try linarith"),
    "repeat": ("Runs a tactic again and again while it succeeds.", "repeat split"),
    "first": ("Runs the first alternative that succeeds.", "first | linarith | smt"),
    "all_goals": ("Runs a tactic on every goal.", "all_goals linarith"),
}
COMBINATORS = {
    ";": ("t1; t2 runs t1 then t2 (on the goals t1 leaves).", "intro x hx; linarith"),
    "<;>": ("t <;> t' runs t' on every goal t leaves.", "split <;> linarith"),
    ".": ("A bullet: focuses on the first goal, which the indented block below must prove.",
          "split\n  . ring\n  . linarith"),
    "{": ("{ t1; t2 } focuses on the first goal, which the steps inside must prove.", "{ intro x; ring }"),
}

COMMANDS: dict[str, tuple[str, str]] = {
    "theorem": ("Starts a proof: `theorem NAME (binders) : FORMULA`, then tactics one at a time, then qed. With "
                "`:= by` and the tactics in one input, it is checked at once. `lemma` is the same.",
                "theorem t (x : int) (h : x > 0) : x * x > 0"),
    "lemma": ("The same as theorem.", "lemma l (a : int) : a + 0 = a := by ring"),
    "def": ("Defines a function (int) or predicate (Prop); a recursive one needs `decreasing MEASURE`.",
            "def sum_to (n : int) : int := if n <= 0 then 0 else n + sum_to(n - 1)\n  decreasing n"),
    "axiom": ("Assumes a statement without proof (reported wherever it is used).", "axiom ax : forall x : int, x = x"),
    "import": ("Brings in a module: next to the importing file, else of the library, else along QUOD_PATH (a "
               "module both next to the file and on the search path is refused as ambiguous).",
               "import integers.gcd      import helper"),
    "program": ("Declares a program: native syntax, or a function of a C or Python file.",
                'program g from c "examples/g.c" function g'),
    "eval": ("Computes a term (or runs a program on arguments).", "eval gcd(12, 18)"),
    "check": ("Shows a term or formula as Quod reads it, and its sort.", "check x + 1 > 0"),
    "search": ("Finds library lemmas by pattern (holes _) or by a word.", "search _ * (_ + _)"),
    "print": ("`print axioms NAME`: what a theorem rests on.", "print axioms add_comm"),
    "undo": ("Goes back N steps of the open proof (N edits of the open file).", "undo 2"),
    "redo": ("Goes forward again after undo.", "redo"),
    "restart": ("Goes back to the start of the proof.", "restart"),
    "goals": ("Shows the goals again (help view says how to read them).", "goals"),
    "qed": ("Ends the proof: the kernel checks all of it. In a file, moves the point after the theorem.", "qed"),
    "abort": ("Drops the open proof (in a file: leaves the proof as the file has it).", "abort"),
    "save": ("Writes the file: the open file back to itself, or the session's declarations (with their imports). "
             "It never overwrites a file this session did not write (or that changed on disk since) unless told "
             "`save! FILE`; the write is atomic, so a failed one leaves the old file.", "save proofs/mine.proof"),
    "save!": ("save, overwriting whatever is there.", "save! proofs/mine.proof"),
    "next": ("Moves the point to the next step of the file's proofs (N steps).", "next 3"),
    "prev": ("Moves the point back (retracts) one step (N steps).", "prev"),
    "goto": ("Moves the point to a line (after the step that starts there) or to a theorem by name.",
             "goto 42      goto sum_to_closed"),
    "replace": ("Replaces the step at the point with another; kept only if it runs.", "replace nlinarith"),
    "delete": ("Deletes the step at the point (N steps back from it); the point moves to the step before.",
               "delete"),
    "help": ("help, help TOPIC, help TACTIC, help COMMAND.", "help smt"),
    "quit": ("Leaves (asks first if there is unsaved work). Ctrl-D too.", "quit"),
}

TOPICS: dict[str, str] = {
    "": """Enter a declaration (theorem, lemma, def, axiom, import, program), a command (eval, check, search,
print axioms) or, inside a proof, a tactic.
  proofs:   theorem NAME (binders) : FORMULA, then tactics, then qed; undo [N], redo [N], restart, goals, abort
  files:    quod repl FILE opens a file at a point: next, prev, goto LINE|NAME, a tactic to add a step,
            replace TACTIC, delete, undo, redo, save
  saving:   save [FILE], save! FILE
  leaving:  quit (or Ctrl-D); Ctrl-C stops a running step and keeps the state
Topics: help tactics, help commands, help edit, help view (the goals), help proof; help NAME for one
tactic or command (help smt, help goto, help save).""",
    "proof": """Start a proof with `theorem NAME (x : int) (h : x > 0) : FORMULA`, enter tactics one at a time,
then `qed` (the kernel checks the whole proof). An error changes nothing. `undo`/`redo` move in the history
(`undo 3`), `restart` goes back to the start, `abort` drops the proof. `theorem NAME : F := by ...` in one
input is checked at once.""",
    "edit": """`quod repl FILE` opens FILE in the proof editor. There is a point: at the start of a proof, after one of
its steps, or after a declaration. `next` and `prev` move it step by step (N steps: next 3), `goto LINE` to the
step on a line, `goto NAME` to the start of a theorem's proof; each move shows the goals there and what the
step before changed.
At a point in a proof:
  a tactic      is inserted after the step at the point (at a step that failed, it replaces it instead);
                it is kept only if it runs, and you are told what the rest of the proof does now
  replace TAC   replaces the step at the point
  delete [N]    deletes it (the point moves to the step before)
  qed           says whether the theorem is proved, and moves the point after it
Outside a proof, a declaration is inserted after the one at the point, and `theorem NAME : F` starts a new
proof, inserted there at qed. Declarations below the point are not in scope, as in the file.
undo/redo go through the edits; save writes the file back (save FILE elsewhere).""",
    "view": """After each step the first goal is shown in full, the others by their conclusion:
     x y : int            the variables
   1. h : x < y           the hypotheses, numbered
     ⊢ x + 1 ≤ y          what is to be proved
What the step changed is marked in the first column: + added, - removed (shown as it was),
~ changed (followed by what it was, `was: ...`); "2 goals (was 1)" counts them. Comparisons are shown
the way the theorem wrote them (x > 0 stays x > 0). Long formulas break after an operator.""",
}


def _entry(name: str, what: str, example: str) -> str:
    ex = example.replace("\n", "\n    ")
    return textwrap.fill(f"{name}: {what}", 100, subsequent_indent="  ") + f"\n  example:\n    {ex}"


def tactics_overview() -> str:
    groups = [
        ("structure", ["intro", "intros", "apply", "exact", "assumption", "split", "constructor", "left", "right",
                       "exists", "cases", "induction", "strong_induction", "have", "show", "calc", "specialize",
                       "by_contra", "contradiction", "exfalso", "trivial", "reflexivity"]),
        ("rewriting", ["rewrite", "rw", "unfold", "simp"]),
        ("arithmetic", ["ring", "linarith", "nlinarith", "norm_num", "smt", "hammer"]),
        ("programs", ["vcgen", "termination", "recurrent", "invariant"]),
        ("others", ["sorry", "skip", "done"]),
        ("combinators", ["try", "repeat", "first", "all_goals"]),
    ]
    listed = {t for _, ts in groups for t in ts}
    rest = sorted(set(TACTICS) - listed)
    if rest:
        groups.append(("more", rest))
    out = [textwrap.fill(" ".join(ts), 100, initial_indent=f"  {g + ':':<13}", subsequent_indent=" " * 15)
           for g, ts in groups]
    out.append(f"  {'sequencing:':<13}t1; t2   t <;> t'   . (bullet)   {{ t1; t2 }}")
    return "Tactics (help NAME for one, with an example):\n" + "\n".join(out)


def commands_overview() -> str:
    decl = ["theorem", "lemma", "def", "axiom", "import", "program"]
    cmds = ["eval", "check", "search", "print"]
    repl = [c for c in COMMANDS if c not in decl + cmds]
    return ("Declarations: " + ", ".join(decl) + "\nCommands: eval E, check E, search PATTERN, print axioms NAME\n"
            "REPL commands: " + ", ".join(repl) + "\n(help NAME for one, with an example)")


def help_text(topic: str) -> str:
    topic = topic.strip()
    if topic in TOPICS:
        return TOPICS[topic]
    if topic == "tactics":
        return tactics_overview()
    if topic == "commands":
        return commands_overview()
    if topic == "walk":
        return TOPICS["edit"]
    if topic in TACTICS:
        return _entry(topic, *TACTICS[topic])
    if topic in COMMANDS:
        return _entry(topic, *COMMANDS[topic])
    if topic in COMBINATORS:
        return _entry(topic, *COMBINATORS[topic])
    if topic in ("print axioms", "axioms"):
        return _entry("print axioms", *COMMANDS["print"])
    names = sorted(set(TACTICS) | set(COMMANDS) | set(TOPICS) | {"tactics", "commands"})
    near = [n for n in names if n and (n.startswith(topic[:3]) or topic in n)][:5]
    return (f"no help on {topic!r}" + (f"; did you mean {', '.join(near)}?" if near else "") +
            "\ntopics: tactics, commands, edit, view, proof; or a tactic or command (help smt)")


# ---- hints for what newcomers type from other systems ------------------------------------------------

# (pattern on the input, pattern on the error message or None, hint)
HINTS: list[tuple[str, str | None, str]] = [
    (r"^\s*exact\s+rfl\b", None, "Lean's `rfl` is `reflexivity` here (or `ring` for an equation of arithmetic)"),
    (r"^\s*rfl\s*$", None, "Lean's `rfl` is `reflexivity` here (or `ring` for an equation of arithmetic)"),
    (r"^\s*(omega|lia|lra|arith)\b", None, "for linear arithmetic use `linarith` (or `smt`)"),
    (r"^\s*(nia|nlia|positivity|polyrith)\b", None, "for products use `nlinarith` (or `smt`)"),
    (r"^\s*(auto|tauto|blast|aesop|decide|omega)\b", None, "automation here is `smt` and `hammer`"),
    (r"^\s*(simp_all|simpa|field_simp)\b", None, "use `simp` (with lemmas: simp [l1, l2]) or `smt`"),
    (r"^\s*(reflexivity\.|intros\.|[a-z_]+\.)\s*$", None, "no `.` after a step (that is Coq); just the tactic"),
    (r"^\s*(destruct|inversion|obtain|rcases)\b", None, "take a hypothesis apart with `cases h with a b`"),
    (r"^\s*(use)\b", None, "give a witness with `exists t`"),
    (r"^\s*(refine|refine')\b", None, "use `apply` (premises become goals) or `exact`"),
    (r"^\s*(subst|symmetry)\b", None, "use `rewrite [h]` (or `rewrite [<- h]` the other way)"),
    (r"^\s*(norm_num\s*\[)", None, "norm_num takes no lemmas; use simp [..] or linarith [..]"),
    (r"^\s*def\b", r"unknown function or predicate '(\w+)'",
     "a recursive definition needs `decreasing MEASURE` after its body, to be seen inside it:\n"
     "  def f (n : int) : int := if n <= 0 then 0 else n + f(n - 1)\n    decreasing n"),
]


def hint(text: str, message: str, functions=(), programs=()) -> str:
    """A line of advice for an error, if the input looks like another system's habit; else ''.
    ``functions`` and ``programs`` are the names in scope."""
    m = re.search(r"after '([A-Za-z_][\w']*)', found '([\w(]+)", message)
    if m and (m.group(1) in ("abs", "min", "max") or m.group(1) in functions):
        f = m.group(1)
        return f"\nhint: functions take their arguments in parentheses, with commas: {f}(a, b), not `{f} a b`"
    m = re.search(r"unknown function or predicate '([A-Za-z_][\w']*)'", message)
    if m and m.group(1) in programs:
        p = m.group(1)
        return (f"\nhint: {p} is a program, not a function of the logic: state what it does with a judgment "
                f"({{P}} {p} {{Q}}, [P] {p} [Q], terminates {p}) or a fact `forall x : T, {p}(x) = v`")
    for pat, msg_pat, advice in HINTS:
        if msg_pat is not None:
            mm = re.search(msg_pat, message)
            if mm is None:
                continue
            if "unknown function" in msg_pat and not re.match(rf"\s*def\s+{re.escape(mm.group(1))}\b", text):
                continue            # only the definition's own name: a recursive call
        if not re.search(pat, text, re.MULTILINE):
            continue
        return f"\nhint: {advice}"
    return ""


__all__ = ["help_text", "hint", "TACTICS", "COMMANDS", "TOPICS"]
