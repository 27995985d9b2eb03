# expect: no
# The first loop leaves n <= 0; the second then runs forever (Python ints do not overflow).
def second_nt(n):
    while n > 0:
        n -= 1
    while n < 1:
        n = n - 1
    return n
