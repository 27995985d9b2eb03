# After `for i in range(n)` the variable holds the last value, n - 1 (not n), and keeps
# its earlier value when the range is empty.
def for_final(n):
    i = 100
    for i in range(n):
        pass
    return i
