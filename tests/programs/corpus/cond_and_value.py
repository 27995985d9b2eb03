# expect: no
# `x and d` is d when x != 0 (not 1): from x = 1, d = -1 the loop never moves.
def and_value(x, d):
    s = x and d
    while x > 0:
        x = x - s - 1
    return x
