# expect: yes
def log2(x):
    c = 0
    while x > 1:
        x = x // 2
        c += 1
    return c
