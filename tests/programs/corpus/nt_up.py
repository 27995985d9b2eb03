# expect: no
def up(x):
    while x > 0:
        x = x + 1
