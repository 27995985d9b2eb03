# expect: yes
def triangle(n):
    c = 0
    i = 0
    while i < n:
        j = 0
        while j < i:
            j += 1
            c += 1
        i += 1
    return c
