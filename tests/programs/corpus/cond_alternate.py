# expect: yes
# x drops every second iteration: ranking 2 * x + (1 - b).
def alternate(x):
    b = 0
    while x > 0:
        if b == 1:
            x -= 1
        b = 1 - b
    return b
