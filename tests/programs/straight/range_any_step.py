# range(a, b, s) with a step whose sign is known only at run time (s = 0 raises ValueError); the
# loop variable keeps its last value, and assigning it does not change the iteration.
def range_any_step(a, b, s):
    c = 0
    i = -1
    for i in range(a, b, s):
        if i == 3:
            continue
        c = c * 3 + i
        i = i * 2
    return c * 1000 + i
