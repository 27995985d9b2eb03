# expect: no
def sub2(x):
    while x != 0:
        x = x - 2
