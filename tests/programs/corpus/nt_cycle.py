# expect: no
# x = 1 -> 2 -> 1 -> ...
def cycle(x):
    while x > 0:
        x = 3 - x
    return x
