# expect: yes
def nest_count(n, m):
    c = 0
    for i in range(n):
        for j in range(m):
            c += 1
    return c
