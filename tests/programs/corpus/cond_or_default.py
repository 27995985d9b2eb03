# expect: no
# `d or -1` is d when d != 0, else -1: with d = 0 (or d < 0) x grows forever from x = 1.
def walk(x, d):
    s = d or -1
    while x > 0:
        x = x - s
    return x
