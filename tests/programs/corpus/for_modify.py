# expect: yes
# Assigning the loop variable does not change the iteration of range: 10 iterations, always.
def modify(n):
    for i in range(10):
        i = i - 1
        n = n + 1
    return n
