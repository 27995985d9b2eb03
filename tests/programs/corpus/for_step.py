# expect: yes
def for_step(n):
    c = 0
    for i in range(n, 0, -2):
        c += 1
    return c
