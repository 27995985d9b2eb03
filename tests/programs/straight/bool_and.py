# 3 and 5 == 5.
def bool_and(x, y):
    return x and y
