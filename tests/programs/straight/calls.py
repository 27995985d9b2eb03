# Calls between functions: arguments by value (the caller's variables are untouched), the callee's
# own loops and early returns, a call in a loop condition (evaluated before every test), and a
# call in a short-circuit operand (run only when needed: no ZeroDivisionError from tenth(0)).
def calls(x, y):
    a = clamp(x, 0, 9) + clamp(y, -5, 5) * 10
    n = 0
    while tri(n) < clamp(x + y, 0, 50):
        n += 1
    b = x != 0 and tenth(x) > 1
    return a * 1000 + n * 10 + b + tri(clamp(y, 0, 6))


def clamp(v, lo, hi):
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


def tri(k):
    s = 0
    for i in range(k + 1):
        s += i
    k = -1
    return s


def tenth(d):
    return 10 // d
