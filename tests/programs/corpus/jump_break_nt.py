# expect: no
# Odd or negative x never hits 0 (Python ints do not overflow).
def break_nt(x):
    while True:
        if x == 0:
            break
        x = x - 2
    return x
