# expect: yes
def chase(x, y):
    while x > y:
        y = y + 1
    return y
