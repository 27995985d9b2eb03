def zero_div(a, b):
    c = a + 1
    return c // b + (a if b > 0 and a % b == 0 else -a)
