# expect: yes
# McCarthy's 91 function, iteratively: terminates for every n.
def mc91(n):
    c = 1
    while c != 0:
        if n > 100:
            n = n - 10
            c = c - 1
        else:
            n = n + 11
            c = c + 1
    return n
