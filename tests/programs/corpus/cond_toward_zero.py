# expect: yes
def toward_zero(x):
    while x != 0:
        if x > 0:
            x -= 1
        else:
            x += 1
    return x
