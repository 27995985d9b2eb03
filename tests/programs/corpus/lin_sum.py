# expect: yes
def sum_to(n):
    s = 0
    i = 0
    while i < n:
        i += 1
        s += i
    return s
